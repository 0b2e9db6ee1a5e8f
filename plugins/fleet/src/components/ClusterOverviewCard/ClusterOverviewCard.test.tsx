import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { ClusterOverviewCard } from './ClusterOverviewCard';

const cluster = {
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'kafka-payments-prod', namespace: 'default' },
  spec: {
    engine: 'kafka',
    version: '3.5.1',
    environment: 'production',
    owner: 'group:default/platform-kafka',
    system: 'data-platform',
    region: 'eu-central-1',
    nodes: ['kafka-1.example', 'kafka-2.example'],
    endpoints: [{ name: 'bootstrap', url: 'kafka.example:9093' }],
    maintenanceWindow: {
      days: ['sun'],
      start: '02:00',
      durationMinutes: 120,
      timezone: 'Europe/Berlin',
    },
  },
};

// Rendering the whole page is slow on a busy CI machine.
jest.setTimeout(30_000);

describe('ClusterOverviewCard', () => {
  it('shows what an ops engineer needs before touching the cluster', async () => {
    await renderInTestApp(
      <EntityProvider entity={cluster}>
        <ClusterOverviewCard />
      </EntityProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(screen.getByText('3.5.1')).toBeInTheDocument();
    expect(screen.getByText('kafka-2.example')).toBeInTheDocument();
    expect(screen.getByText('kafka.example:9093')).toBeInTheDocument();
    expect(
      screen.getByText('Sun 02:00–04:00 (Europe/Berlin)'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /platform-kafka/ }),
    ).toHaveAttribute('href', '/catalog/default/group/platform-kafka');
  });
});
