import { fireEvent, screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  FleetMaintenanceResponse,
  RunbooksApi,
  runbooksApiRef,
} from '@fleetdeck/plugin-runbooks-react';
import { FleetPage } from './FleetPage';

// Rendering the whole page is slow on a busy CI machine.
jest.setTimeout(30_000);

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

const clusters = Array.from({ length: 10 }, (_, i) => ({
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: `c${i}`, namespace: 'default' },
  spec: {
    engine: 'kafka',
    version: '3.7.1',
    environment: 'production',
    owner: 'group:default/sre',
    nodes: ['a'],
  },
}));

const maintenance: FleetMaintenanceResponse = {
  lastSucceeded: {
    patch: {
      'cluster:default/c0': ago(1),
      'cluster:default/c1': ago(20),
      'cluster:default/c2': ago(25),
    },
  },
  certificates: {
    'cluster:default/c5': { checkedAt: ago(1), runId: 'r', minDaysLeft: 3 },
    'cluster:default/c6': { checkedAt: ago(1), runId: 'r', minDaysLeft: 90 },
  },
};

/** The cluster names the table shows. */
function tableNames() {
  const table = screen.getByRole('table');
  return within(table)
    .queryAllByRole('link')
    .map(l => l.textContent)
    .filter(t => /^c\d$/.test(t ?? ''))
    .sort();
}

async function renderPage() {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [catalogApiRef, catalogApiMock({ entities: clusters })],
        [
          runbooksApiRef,
          {
            getFleetMaintenance: async () => maintenance,
          } as Partial<RunbooksApi> as RunbooksApi,
        ],
      ]}
    >
      <FleetPage />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  expect(await screen.findByText('1–10 of 10 clusters')).toBeInTheDocument();
}

describe('FleetPage maintenance filters', () => {
  it('shows exactly the clusters of the maintenance bar clicked, and all again on a second click', async () => {
    await renderPage();
    fireEvent.click(
      await screen.findByRole('button', {
        name: '2 clusters with a successful patch run 8–30 days ago',
      }),
    );
    expect(await screen.findByText('1–2 of 2 clusters')).toBeInTheDocument();
    expect(tableNames()).toEqual(['c1', 'c2']);

    fireEvent.click(
      screen.getByRole('button', {
        name: '7 clusters never had a successful patch run',
      }),
    );
    expect(await screen.findByText('1–7 of 7 clusters')).toBeInTheDocument();
    expect(tableNames()).toEqual(['c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9']);

    fireEvent.click(
      screen.getByRole('button', {
        name: '7 clusters never had a successful patch run',
      }),
    );
    expect(await screen.findByText('1–10 of 10 clusters')).toBeInTheDocument();
  });

  it('shows exactly the clusters of the certificate bar clicked', async () => {
    await renderPage();
    fireEvent.click(
      await screen.findByRole('button', {
        name: '1 clusters with a certificate expiring in ≤ 7 days',
      }),
    );
    expect(await screen.findByText('1–1 of 1 clusters')).toBeInTheDocument();
    expect(tableNames()).toEqual(['c5']);
  });
});
