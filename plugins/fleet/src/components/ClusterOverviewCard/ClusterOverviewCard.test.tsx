import { screen, within } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { configApiRef } from '@backstage/core-plugin-api';
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

  it('keeps long host names whole (wrapping, with a copy button) and shows the version against the policy', async () => {
    const long = 'kafka-payments-prod-01.fra.fleetdeck.example';
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            configApiRef,
            mockApis.config({
              data: {
                fleet: {
                  versionPolicy: {
                    kafka: {
                      minimum: '3.7.0',
                      endOfLife: ['3.5'],
                      target: '3.8.0',
                    },
                  },
                },
              },
            }),
          ],
        ]}
      >
        <EntityProvider
          entity={{ ...cluster, spec: { ...cluster.spec, nodes: [long] } }}
        >
          <ClusterOverviewCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    const node = within(screen.getByRole('list', { name: 'Nodes' })).getByText(
      long,
    );
    expect(node).toHaveStyle({
      whiteSpace: 'normal',
      overflowWrap: 'anywhere',
    });
    expect(
      within(screen.getByRole('list', { name: 'Nodes' })).getByRole('button', {
        name: /copy/i,
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('end-of-life')).toBeInTheDocument();
    expect(
      screen.getByText(
        'End-of-life (lines 3.5); supported from 3.7.0, target 3.8.0',
      ),
    ).toBeInTheDocument();
  });
});
