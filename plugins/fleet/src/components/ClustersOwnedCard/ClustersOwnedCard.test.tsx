import { screen } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { configApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef, EntityProvider } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { fleetRouteRef } from '../../routes';
import { ClustersOwnedCard } from './ClustersOwnedCard';

const cluster = (
  name: string,
  engine: string,
  environment: string,
  version = '1',
) => ({
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name },
  spec: {
    engine,
    environment,
    version,
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

  it('tells the team how many of its clusters are current, linking to the outdated ones', async () => {
    const catalogApi = catalogApiMock({
      entities: [
        team,
        cluster('k1', 'kafka', 'production', '3.5.1'),
        cluster('k2', 'kafka', 'production', '3.6.2'),
        cluster('k3', 'kafka', 'dev', '3.8.0'),
        cluster('r1', 'redis', 'dev', '7.2'),
      ],
    });
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApi],
          [
            configApiRef,
            mockApis.config({
              data: {
                fleet: {
                  versionPolicy: {
                    kafka: { minimum: '3.7.0', endOfLife: ['3.5'] },
                  },
                },
              },
            }),
          ],
        ]}
      >
        <EntityProvider entity={team}>
          <ClustersOwnedCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/fleet': fleetRouteRef } },
    );
    // Redis has no policy: it is not counted either way.
    expect(await screen.findByTestId('team-compliance')).toHaveTextContent(
      '1 of 3 clusters current · 2 outdated (1 end-of-life)',
    );
    const outdated = new URL(
      screen.getByRole('link', { name: '2 outdated' }).getAttribute('href')!,
      'http://x',
    );
    expect(Object.fromEntries(outdated.searchParams)).toEqual({
      owner: 'group:default/platform-kafka',
      policy: 'outdated',
    });
  });
});
