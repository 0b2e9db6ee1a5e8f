import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { InventoryHealingBanner } from './InventoryHealingBanner';

jest.setTimeout(30_000);

const statusLocation = (name: string, counts: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Location',
  metadata: {
    name,
    namespace: 'default',
    title: `Fleet inventory ${name}`,
    annotations: {
      'fleetdeck.io/inventory-cluster-count': counts.emitted,
      'fleetdeck.io/inventory-served-count': counts.served,
      'fleetdeck.io/inventory-healing-count': counts.healing,
    },
  },
  spec: { type: 'fleet-inventory', target: 'x' },
});

describe('InventoryHealingBanner', () => {
  it('says how many clusters are served while an inventory heals, and nothing for one that is whole', async () => {
    const catalogApi = catalogApiMock.mock({
      getEntities: jest.fn(async () => ({
        items: [
          statusLocation('ansible-demo', {
            emitted: '95',
            served: '92',
            healing: '3',
          }),
          statusLocation('http-cmdb', {
            emitted: '12',
            served: '12',
            healing: '0',
          }),
        ],
      })),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
        <InventoryHealingBanner />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(/^92 of 95 clusters served, healing/),
    ).toBeInTheDocument();
    expect(screen.getAllByTestId('inventory-healing-banner')).toHaveLength(1);
    expect(screen.queryByText(/12 of 12/)).not.toBeInTheDocument();
  });

  it('shows nothing when every inventory is served in full', async () => {
    const catalogApi = catalogApiMock.mock({
      getEntities: jest.fn(async () => ({
        items: [
          statusLocation('ansible-demo', {
            emitted: '95',
            served: '95',
            healing: '0',
          }),
        ],
      })),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
        <InventoryHealingBanner />
      </TestApiProvider>,
    );
    await new Promise(r => setTimeout(r, 200));
    expect(catalogApi.getEntities).toHaveBeenCalled();
    expect(
      screen.queryByTestId('inventory-healing-banner'),
    ).not.toBeInTheDocument();
  });
});
