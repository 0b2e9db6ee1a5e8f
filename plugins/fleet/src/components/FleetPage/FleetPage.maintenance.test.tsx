import { fireEvent, screen, waitFor, within } from '@testing-library/react';
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

describe('FleetPage maintenance filters of more clusters than one catalog query takes', () => {
  // the in-memory catalog sorts and searches 2,000 clusters slowly
  jest.setTimeout(90_000);
  // 2,000 clusters: 1,900 patched a day ago (too many names for one catalog
  // request), 20 twenty days ago, 80 never (every cluster but 1,920)
  const name = (i: number) =>
    `kafka-production-eu-west-1-${String(i).padStart(4, '0')}`;
  const fleet = Array.from({ length: 2000 }, (_, i) => ({
    ...clusters[0],
    metadata: { name: name(i), namespace: 'default' },
  }));
  const large: FleetMaintenanceResponse = {
    lastSucceeded: {
      patch: Object.fromEntries(
        fleet
          .slice(0, 1920)
          .map((c, i) => [
            `cluster:default/${c.metadata.name}`,
            ago(i < 1900 ? 1 : 20),
          ]),
      ),
    },
    certificates: {},
  };
  // (role queries are slow on a page of 50 rows: plain DOM queries here)
  const names = () =>
    Array.from(document.querySelectorAll('table a'))
      .map(l => l.textContent)
      .filter(t => t?.startsWith('kafka-production-'));
  const button = (text: string) =>
    screen.getByText(text).closest('button, [role="button"]')!;

  async function renderLargePage() {
    const catalog = catalogApiMock({ entities: fleet });
    const queryEntities = jest.spyOn(catalog, 'queryEntities');
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalog],
          [
            runbooksApiRef,
            {
              getFleetMaintenance: async () => large,
            } as Partial<RunbooksApi> as RunbooksApi,
          ],
        ]}
      >
        <FleetPage />
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(
      await screen.findByText('1–50 of 2000 clusters'),
    ).toBeInTheDocument();
    return { queryEntities };
  }

  it('pages, sorts and searches the 1,900 clusters of the ≤ 7 days bar', async () => {
    const { queryEntities } = await renderLargePage();
    fireEvent.click(
      await screen.findByLabelText(
        '1900 clusters with a successful patch run ≤ 7 days ago',
      ),
    );
    expect(
      await screen.findByText('1–50 of 1900 clusters'),
    ).toBeInTheDocument();
    expect(names()[0]).toBe(name(0));
    expect(names()).toHaveLength(50);
    // no request carried the 1,900 names (65 kB): the bars' counts split
    // them, the table lists the clusters and keeps the bar's
    for (const [request] of queryEntities.mock.calls) {
      expect(JSON.stringify(request ?? {}).length).toBeLessThan(61_000);
    }

    const listed = queryEntities.mock.calls.length;
    fireEvent.click(button('Next'));
    expect(
      await screen.findByText('51–100 of 1900 clusters'),
    ).toBeInTheDocument();
    expect(names()[0]).toBe(name(50));
    // the next page reads its 50 rows by their refs: nothing is listed again
    expect(queryEntities).toHaveBeenCalledTimes(listed);
    fireEvent.click(button('Previous'));
    expect(
      await screen.findByText('1–50 of 1900 clusters'),
    ).toBeInTheDocument();
    expect(names()[0]).toBe(name(0));

    // a new sort starts at the first page, in the new order
    fireEvent.click(button('Name'));
    expect(
      await screen.findByText('1–50 of 1900 clusters'),
    ).toBeInTheDocument();
    await waitFor(() => expect(names()[0]).toBe(name(1899)));

    // the search applies too: kafka-production-eu-west-1-1200 to -1299
    fireEvent.change(screen.getByLabelText('Search clusters'), {
      target: { value: 'west-1-12' },
    });
    expect(
      await screen.findByText('1–50 of 100 clusters', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    await waitFor(() => expect(names()[0]).toBe(name(1299)));
    fireEvent.click(button('Next'));
    expect(
      await screen.findByText('51–100 of 100 clusters'),
    ).toBeInTheDocument();
    expect(names()[49]).toBe(name(1200));
    expect(button('Next')).toBeDisabled();
  });

  it('shows the 80 clusters never patched (every cluster but 1,920) and selects them all', async () => {
    await renderLargePage();
    fireEvent.click(
      await screen.findByLabelText(
        '80 clusters never had a successful patch run',
      ),
    );
    expect(await screen.findByText('1–50 of 80 clusters')).toBeInTheDocument();
    expect(names()[0]).toBe(name(1920));
    fireEvent.click(button('Select all 80 matching filter'));
    expect(await screen.findByText('80 selected')).toBeInTheDocument();
    expect(screen.getByLabelText(`Select ${name(1920)}`)).toBeChecked();
  });
});
