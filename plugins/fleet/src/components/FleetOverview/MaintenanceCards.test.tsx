import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { NotFoundError } from '@backstage/errors';
import {
  FleetMaintenanceResponse,
  RunbooksApi,
  runbooksApiRef,
} from '@fleetdeck/plugin-runbooks-react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { FleetState } from '../FleetPage/fleetQuery';
import { countInCatalog, refsChunks } from './fleetMaintenance';
import { CertificatesCard } from './CertificatesCard';
import { MaintenanceCard } from './MaintenanceCard';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const ref = (name: string) => `cluster:default/${name}`;

const data: FleetMaintenanceResponse = {
  lastSucceeded: {
    backup: { [ref('a')]: ago(1) },
    patch: {
      [ref('a')]: ago(0.5),
      [ref('b')]: ago(8.2),
      [ref('c')]: ago(20),
      [ref('d')]: ago(45),
      [ref('e')]: ago(400),
    },
  },
  certificates: {
    [ref('a')]: { checkedAt: ago(1), runId: 'r1', minDaysLeft: -3 },
    [ref('b')]: { checkedAt: ago(1), runId: 'r1', minDaysLeft: 0 },
    [ref('c')]: { checkedAt: ago(1), runId: 'r1', minDaysLeft: 6 },
    [ref('d')]: { checkedAt: ago(1), runId: 'r1', minDaysLeft: 29 },
    [ref('e')]: { checkedAt: ago(1), runId: 'r1', minDaysLeft: 200 },
    [ref('f')]: { checkedAt: ago(1), runId: 'r1' },
  },
};

const initial: FleetState = { q: '', filters: {}, sort: 'name', order: 'asc' };

const cluster = (name: string) => ({
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name, namespace: 'default' },
  spec: { engine: 'kafka' },
});
/** The catalog's 8 clusters: a to h. */
const catalogClusters = 'abcdefgh'.split('').map(cluster);

async function renderCards(
  api: Partial<RunbooksApi> | undefined,
  state: FleetState = initial,
  clusters = catalogClusters,
) {
  const catalog = [
    catalogApiRef,
    catalogApiMock({ entities: clusters }),
  ] as const;
  const onChange = jest.fn();
  const cards = (
    <>
      <MaintenanceCard total={8} state={state} onChange={onChange} now={NOW} />
      <CertificatesCard state={state} onChange={onChange} />
    </>
  );
  await renderInTestApp(
    api ? (
      <TestApiProvider apis={[catalog, [runbooksApiRef, api as RunbooksApi]]}>
        {cards}
      </TestApiProvider>
    ) : (
      <TestApiProvider apis={[catalog]}>{cards}</TestApiProvider>
    ),
  );
  return { onChange };
}

const button = (name: string) => screen.findByRole('button', { name });

describe('the maintenance and certificate cards', () => {
  it('count the clusters per bucket of days since the last success, per runbook type', async () => {
    const getFleetMaintenance = jest.fn(async () => data);
    const { onChange } = await renderCards({ getFleetMaintenance });
    // patch first; 8 clusters, 5 patched
    expect(
      await button('1 clusters with a successful patch run ≤ 7 days ago'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: '2 clusters with a successful patch run 8–30 days ago',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: '1 clusters with a successful patch run 31–90 days ago',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: '1 clusters with a successful patch run > 90 days ago',
      }),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', {
        name: '3 clusters never had a successful patch run',
      }),
    );
    expect(onChange).toHaveBeenLastCalledWith({
      maintenance: { type: 'patch', bucket: 'never' },
    });

    fireEvent.click(screen.getByRole('button', { name: 'backup' }));
    fireEvent.click(
      await button('1 clusters with a successful backup run ≤ 7 days ago'),
    );
    expect(onChange).toHaveBeenLastCalledWith({
      maintenance: { type: 'backup', bucket: 'le7' },
    });
    // one request serves both cards
    expect(getFleetMaintenance).toHaveBeenCalledTimes(1);
    expect(getFleetMaintenance).toHaveBeenCalledWith({ kind: 'cluster' });
  });

  it('count only the clusters still in the catalog: those without a success are never', async () => {
    // e (patched 400 days ago, certificate fine) is gone, i never patched;
    // x, gone too, had an expired certificate
    await renderCards(
      {
        getFleetMaintenance: async () => ({
          ...data,
          certificates: {
            ...data.certificates,
            [ref('x')]: { checkedAt: ago(1), runId: 'r1', minDaysLeft: -1 },
          },
        }),
      },
      initial,
      [...'abcdfgh'.split(''), 'i'].map(cluster),
    );
    expect(
      await button('0 clusters with a successful patch run > 90 days ago'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: '4 clusters never had a successful patch run',
      }),
    ).toBeInTheDocument();
    expect(
      await button('1 clusters with an expired certificate'),
    ).toBeInTheDocument();
  });

  it('count 10,000 refs in 4 count-only requests that each fit the catalog', async () => {
    const refs = Array.from(
      { length: 10_000 },
      (_, i) => `cluster:default/kafka-prod-${String(i).padStart(4, '0')}`,
    );
    const chunks = refsChunks(refs);
    expect(chunks.map(c => c.length)).toEqual([3329, 3329, 3329, 13]);
    expect(chunks.flat()).toEqual(refs);
    const queryEntities = jest.fn(async (request: any) => ({
      items: [],
      pageInfo: {},
      totalItems: request.query.$any[0]['metadata.name'].$in.length - 1,
    }));
    expect(await countInCatalog({ queryEntities }, refs)).toBe(10_000 - 4);
    for (const [request] of queryEntities.mock.calls) {
      expect(request.limit).toBe(0);
      expect(JSON.stringify(request).length).toBeLessThan(61_000);
    }
  });

  it('count the clusters whose latest TLS check found a certificate expiring within 30 days', async () => {
    const { onChange } = await renderCards({
      getFleetMaintenance: async () => data,
    });
    expect(
      await screen.findByText('By the latest TLS check of 6 clusters'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: '1 clusters with an expired certificate',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: '1 clusters with a certificate expiring in 8–30 days',
      }),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', {
        name: '2 clusters with a certificate expiring in ≤ 7 days',
      }),
    );
    expect(onChange).toHaveBeenLastCalledWith({ certificates: 'le7' });
  });

  it('mark the bars the table is filtered by, and clear the filter on a second click', async () => {
    const { onChange } = await renderCards(
      { getFleetMaintenance: async () => data },
      {
        ...initial,
        maintenance: { type: 'backup', bucket: 'never' },
        certificates: 'expired',
      },
    );
    const never = await button('7 clusters never had a successful backup run');
    expect(never).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(never);
    expect(onChange).toHaveBeenLastCalledWith({ maintenance: undefined });
    const expired = screen.getByRole('button', {
      name: '1 clusters with an expired certificate',
    });
    expect(expired).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(expired);
    expect(onChange).toHaveBeenLastCalledWith({ certificates: undefined });
  });

  it.each([
    ['the portal has no runbooks API', undefined],
    [
      'the runbooks backend is not installed',
      {
        getFleetMaintenance: async () => {
          throw new NotFoundError('Not found');
        },
      },
    ],
    ['the runbooks client predates the endpoint', {}],
  ])('show nothing when %s', async (_, api) => {
    await renderCards(api);
    await waitFor(() =>
      expect(
        screen.queryByRole('region', {
          name: 'Days since last successful maintenance',
        }),
      ).not.toBeInTheDocument(),
    );
    expect(
      screen.queryByRole('region', {
        name: 'Certificates expiring within 30 days',
      }),
    ).not.toBeInTheDocument();
    expect(screen.queryByText(/Could not/)).not.toBeInTheDocument();
  });

  it('say why when the runbooks backend fails', async () => {
    await renderCards({
      getFleetMaintenance: async () => {
        throw new Error('database is down');
      },
    });
    expect(
      await screen.findAllByText(
        'Could not read the runbook runs: database is down',
      ),
    ).toHaveLength(2);
  });

  it('say how to fill an empty chart', async () => {
    await renderCards({
      getFleetMaintenance: async () => ({
        lastSucceeded: {},
        certificates: {},
      }),
    });
    expect(
      await screen.findByText(/No runbook with a type .* has succeeded/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/No cluster has had a TLS check yet/),
    ).toBeInTheDocument();
  });
});
