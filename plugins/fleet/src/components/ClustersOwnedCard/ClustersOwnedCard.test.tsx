import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef, EntityProvider } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { fleetRouteRef } from '../../routes';
import { ClustersOwnedCard } from './ClustersOwnedCard';

const cluster = (name: string, engine: string, environment: string) => ({
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name },
  spec: {
    engine,
    environment,
    version: '1',
    owner: 'group:default/platform-kafka',
    nodes: [],
    endpoints: [],
  },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/platform-kafka' }],
});

const team = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'platform-kafka', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

// Rendering the whole page is slow on a busy CI machine.
jest.setTimeout(30_000);

describe('ClustersOwnedCard', () => {
  it('counts the team’s clusters per engine and environment and links each count to the filtered Fleet page', async () => {
    const catalogApi = catalogApiMock({
      entities: [
        team,
        cluster('k1', 'kafka', 'production'),
        cluster('k2', 'kafka', 'production'),
        cluster('k3', 'kafka', 'dev'),
        cluster('m1', 'mongodb', 'staging'),
      ],
    });
    await renderInTestApp(
      <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
        <EntityProvider entity={team}>
          <ClustersOwnedCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/fleet': fleetRouteRef } },
    );
    const link = await screen.findByRole('link', {
      name: '2 kafka clusters in production',
    });
    const href = new URL(link.getAttribute('href')!, 'http://x');
    expect(href.pathname).toBe('/fleet');
    expect(Object.fromEntries(href.searchParams)).toEqual({
      owner: 'group:default/platform-kafka',
      engine: 'kafka',
      environment: 'production',
    });
    expect(
      screen.getByRole('link', { name: '1 kafka clusters in dev' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: '1 mongodb clusters in staging' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /kafka/ })).toHaveTextContent(
      /^kafka.*3$/,
    );
  });
});
