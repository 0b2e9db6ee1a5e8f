import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { DriftSummary } from '@fleetdeck/plugin-deployments-common';
import { screen, within } from '@testing-library/react';
import { DeploymentsApi, deploymentsApiRef } from '../../api/DeploymentsApi';
import { DriftPage } from './DriftPage';

const env = (environment: string, commitSha?: string) => ({
  environment,
  commitSha,
  deployedAt: new Date().toISOString(),
});
const drift: DriftSummary = {
  environments: ['dev', 'staging', 'production'],
  productionEnvironment: 'production',
  services: [
    {
      entityRef: 'component:default/payments-api',
      title: 'Payments API',
      owner: 'payments',
      system: 'payments-platform',
      environments: [
        env('dev', 'a'.repeat(40)),
        env('staging', 'b'.repeat(40)),
        env('production', 'c'.repeat(40)),
      ],
      productionBehind: 5,
      comparedWith: 'dev',
      oldestUndeployedAt: new Date(Date.now() - 2 * 86400_000).toISOString(),
      status: 'behind',
    },
    {
      entityRef: 'component:default/card-tokenizer',
      title: 'Card Tokenizer',
      owner: 'cards',
      system: 'card-processing',
      environments: [
        env('dev', 'd'.repeat(40)),
        env('staging', 'd'.repeat(40)),
        env('production', 'd'.repeat(40)),
      ],
      productionBehind: 0,
      status: 'current',
    },
  ],
};

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

describe('DriftPage', () => {
  const api = {
    getDrift: jest.fn().mockResolvedValue(drift),
  } as unknown as DeploymentsApi;

  it('lists every service with its environments and how far production is behind', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[deploymentsApiRef, api]]}>
        <DriftPage />
      </TestApiProvider>,
      { mountedRoutes },
    );
    const rows = await screen.findAllByTestId('drift-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText('Payments API')).toBeInTheDocument();
    expect(
      within(rows[0]).getByText('production is 5 commits behind dev'),
    ).toBeInTheDocument();
    expect(within(rows[0]).getByText('2 days ago')).toBeInTheDocument();
    expect(within(rows[0]).getByTestId('drift-dot')).toHaveAttribute(
      'data-status',
      'behind',
    );
    expect(
      within(rows[1]).getByText('production is up to date'),
    ).toBeInTheDocument();
    // Owner and system names stay whole ("payments", never "paymen ts").
    expect(within(rows[0]).getByText('payments')).toHaveStyle({
      whiteSpace: 'nowrap',
    });
  });

  it('filters by owner from the URL', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[deploymentsApiRef, api]]}>
        <DriftPage />
      </TestApiProvider>,
      { routeEntries: ['/?owner=cards'], mountedRoutes },
    );
    const rows = await screen.findAllByTestId('drift-row');
    expect(rows).toHaveLength(1);
    expect(within(rows[0]).getByText('Card Tokenizer')).toBeInTheDocument();
  });
});
