import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ClusterLabelsCard } from './ClusterLabelsCard';

jest.setTimeout(30_000);

describe('ClusterLabelsCard', () => {
  it('shows every label key whole, sorted', async () => {
    await renderInTestApp(
      <EntityProvider
        entity={{
          apiVersion: 'fleetdeck.io/v1alpha1',
          kind: 'Cluster',
          metadata: {
            name: 'kafka-payments-prod',
            labels: {
              'fleetdeck.io/node-count': '3',
              'fleetdeck.io/environment': 'production',
              'fleetdeck.io/engine': 'kafka',
            },
          },
        }}
      >
        <ClusterLabelsCard />
      </EntityProvider>,
    );
    const rows = within(screen.getByRole('table', { name: 'Labels' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows.map(r => r.textContent)).toEqual([
      'fleetdeck.io/enginekafka',
      'fleetdeck.io/environmentproduction',
      'fleetdeck.io/node-count3',
    ]);
    // Keys may wrap anywhere instead of being cut with an ellipsis.
    expect(
      screen.getByText('fleetdeck.io/environment').closest('th'),
    ).toHaveStyle({ overflowWrap: 'anywhere' });
  });
});
