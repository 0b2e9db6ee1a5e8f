import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { InventoryStatusBanner } from './InventoryStatusBanner';

const statusLocation = (
  name: string,
  errors: string[],
  annotations: Record<string, string> = {},
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Location',
  metadata: {
    name,
    namespace: 'default',
    title: `Fleet inventory ${name}`,
    annotations,
  },
  spec: { type: 'fleet-inventory', target: 'x' },
  status: {
    items: errors.map(message => ({
      type: 'backstage.io/catalog-processing',
      level: 'error',
      message,
      error: { name: 'Error', message },
    })),
  },
});

// Rendering the whole page is slow on a busy CI machine.
jest.setTimeout(30_000);

const renderBanner = (catalogApi: ReturnType<typeof catalogApiMock.mock>) =>
  renderInTestApp(
    <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
      <InventoryStatusBanner />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );

describe('InventoryStatusBanner', () => {
  it('warns about an inventory whose last refresh was refused, and stays quiet about healthy ones', async () => {
    const catalogApi = catalogApiMock.mock({
      getEntities: jest.fn(async () => ({
        items: [
          statusLocation('ansible-demo', [
            'Fleet inventory refresh refused: the refresh would remove 50 of 95 clusters (53 %, limit 20 %)',
          ]),
          statusLocation('http-cmdb', []),
        ],
      })),
    });
    await renderBanner(catalogApi);
    expect(
      await screen.findByText(/would remove 50 of 95 clusters/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Fleet inventory ansible-demo' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('Fleet inventory http-cmdb'),
    ).not.toBeInTheDocument();
  });

  it('shows the start of a refresh applied with warnings, such as an owner that is not in the catalog, as information', async () => {
    const problems = Array.from(
      { length: 20 },
      (_, i) =>
        `group kafka_c${i} (hosts.yml): spec.owner: group:default/platform-kafak is not a Group or User in the catalog`,
    );
    const catalogApi = catalogApiMock.mock({
      getEntities: jest.fn(async () => ({
        items: [
          statusLocation('ansible-prod', [], {
            'fleetdeck.io/inventory-status': 'warnings',
            'fleetdeck.io/inventory-message': `20000 clusters from hosts.yml; 20000 problems: ${problems.join(
              '; ',
            )} and 19980 more`,
          }),
          statusLocation('http-cmdb', [], {
            'fleetdeck.io/inventory-status': 'ok',
            'fleetdeck.io/inventory-message': '12 clusters from cmdb',
          }),
        ],
      })),
    });
    await renderBanner(catalogApi);
    const banner = await screen.findByTestId('inventory-status-info');
    expect(banner).toHaveTextContent(
      /^Fleet inventory ansible-prod: 20000 clusters from hosts\.yml; 20000 problems: group kafka_c0 \(hosts\.yml\): spec\.owner: group:default\/platform-kafak is not a Group or User in the catalog;.*…$/,
    );
    expect(banner.textContent!.length).toBeLessThan(400);
    expect(screen.queryByTestId('inventory-status-warning')).toBeNull();
    expect(screen.queryByText(/12 clusters from cmdb/)).toBeNull();
  });

  it('shows a hostile group name from an inventory as text, never as markup', async () => {
    const hostile = `kafka_<img src=x onerror="alert(1)">`;
    const catalogApi = catalogApiMock.mock({
      getEntities: jest.fn(async () => ({
        items: [
          statusLocation('ansible-prod', [], {
            'fleetdeck.io/inventory-status': 'warnings',
            'fleetdeck.io/inventory-message': `1 clusters from hosts.yml; 1 problems: group ${hostile} (hosts.yml): spec.owner: group:default/x is not a Group or User in the catalog`,
          }),
        ],
      })),
    });
    await renderBanner(catalogApi);
    const banner = await screen.findByTestId('inventory-status-info');
    expect(banner).toHaveTextContent(hostile);
    expect(banner.querySelector('img')).toBeNull();
  });
});
