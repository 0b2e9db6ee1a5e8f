import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { manualScheduler } from '../__testUtils__/manualScheduler';
import { catalogModuleFleet } from '../module';

jest.setTimeout(180_000);

const TEAMS = Array.from({ length: 12 }, (_, i) => `team-${i}`);
const CLUSTERS = 48;

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: {
    name,
    annotations: {
      'backstage.io/managed-by-location': 'test:org',
      'backstage.io/managed-by-origin-location': 'test:org',
    },
  },
  spec: { type: 'team', children: [] },
});

/** An org provider that ingests the org in batches, as a large LDAP or GitHub org does. */
const slowOrg = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'slow-org',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addEntityProvider({
          getProviderName: () => 'slow-org',
          async connect(connection) {
            const apply = (teams: string[]) =>
              connection.applyMutation({
                type: 'full',
                entities: teams.map(t => ({
                  entity: group(t),
                  locationKey: 'test:org',
                })),
              });
            await apply(TEAMS.slice(0, 4));
            setTimeout(() => void apply(TEAMS.slice(0, 8)), 6_000).unref();
            setTimeout(() => void apply(TEAMS), 12_000).unref();
          },
        });
      },
    });
  },
});

const inventory = `${Array.from(
  { length: CLUSTERS },
  (_, i) => `
[c${i}]
c${i}-1.example

[c${i}:vars]
fleetdeck_cluster=true
fleetdeck_engine=redis
fleetdeck_version="7.2.${i}"
fleetdeck_environment=production
fleetdeck_owner=${TEAMS[i % TEAMS.length]}
`,
).join('')}
[wrong]
wrong-1.example

[wrong:vars]
fleetdeck_cluster=true
fleetdeck_engine=redis
fleetdeck_version="7.2.0"
fleetdeck_environment=production
fleetdeck_owner=no-such-team
`;

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'owner checks while the org is still being ingested, on %s',
  databaseId => {
    it('shows every cluster within a minute of a start where org and inventory ingest together, and names only the owner that does not exist on the inventory status', async () => {
      const started = Date.now();
      const { factory } = manualScheduler(id => id.startsWith('fleet-'));
      const dir = mkdtempSync(join(tmpdir(), 'fleet-owner-race-'));
      writeFileSync(join(dir, 'hosts.ini'), inventory);
      const knex = await databases.init(databaseId);
      const backend = await startTestBackend({
        features: [
          mockServices.database.factory({ knex }),
          catalogPlugin,
          catalogModuleFleet,
          slowOrg,
          factory,
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                rules: [{ allow: ['Group', 'Location', 'Cluster'] }],
                providers: {
                  fleet: {
                    ansible: {
                      race: {
                        path: join(dir, 'hosts.ini'),
                        // a refresh period far longer than the test: only rechecks can help
                        schedule: {
                          frequency: { minutes: 30 },
                          timeout: { minutes: 1 },
                        },
                        ownerRecheckSeconds: 2,
                      },
                    },
                  },
                },
              },
            },
          }),
        ],
      });
      type Listed = {
        metadata: { name: string };
        status?: { items?: Array<{ message: string }> };
      };
      const clusters = async (): Promise<Listed[]> =>
        (
          await request(backend.server)
            .get('/api/catalog/entities/by-query')
            .query({
              filter: 'kind=cluster',
              fields: 'metadata.name,status',
              limit: 1000,
            })
        ).body.items;
      /** The owners the inventory's status entity reports as unknown. */
      const reportedOwners = async (): Promise<string[]> => {
        const res = await request(backend.server).get(
          '/api/catalog/entities/by-name/location/default/fleet-inventory-ansible-race',
        );
        const message: string =
          res.body?.metadata?.annotations?.['fleetdeck.io/inventory-message'] ??
          '';
        return [
          ...message.matchAll(
            /group (\w+) \(hosts\.ini\): spec\.owner: (\S+) is not a Group or User in the catalog/g,
          ),
        ].map(m => `${m[1]}: ${m[2]}`);
      };
      try {
        let items: Listed[] = [];
        let reported: string[] = [];
        for (;;) {
          items = await clusters();
          reported = await reportedOwners();
          const onlyWrong =
            reported.length === 1 && reported[0].startsWith('wrong:');
          if (items.length === CLUSTERS + 1 && onlyWrong) break;
          if (Date.now() - started > 60_000) break;
          await new Promise(r => setTimeout(r, 250));
        }
        const seconds = (Date.now() - started) / 1000;
        // eslint-disable-next-line no-console
        console.log(
          `[${databaseId}] all ${
            items.length
          } clusters visible and only the owner that does not exist reported after ${seconds.toFixed(
            1,
          )} s`,
        );
        expect(items.map(e => e.metadata.name).sort()).toEqual(
          [
            ...Array.from({ length: CLUSTERS }, (_, i) => `c${i}`),
            'wrong',
          ].sort(),
        );
        expect(seconds).toBeLessThan(60);
        expect(reported).toEqual(['wrong: group:default/no-such-team']);
        // an unknown owner is named on the inventory, never an error that
        // would hold its cluster back
        expect(items.flatMap(e => e.status?.items ?? [])).toEqual([]);
      } finally {
        await backend.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
