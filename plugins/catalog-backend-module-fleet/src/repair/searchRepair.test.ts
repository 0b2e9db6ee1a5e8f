import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { manualScheduler } from '../__testUtils__/manualScheduler';
import { catalogModuleFleet } from '../module';

jest.setTimeout(120_000);

const { factory: schedulerFactory, tasks } = manualScheduler();

const entities = ['payments-ledger', 'payments-api', 'card-authorizer']
  .map(
    name => `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: ${name} }
spec: { type: service, lifecycle: production, owner: group:default/sre }`,
  )
  .join('\n---');

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'the catalog search repair on %s',
  databaseId => {
    it('brings back to lists an entity the catalog stitched without its search rows', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'search-repair-'));
      writeFileSync(join(dir, 'entities.yaml'), entities);
      const knex = await databases.init(databaseId);
      const warnings: string[] = [];
      const logger = mockServices.logger.mock({
        warn: (m: string) => void warnings.push(m),
      });
      const backend = await startTestBackend({
        features: [
          mockServices.database.factory({ knex }),
          catalogPlugin,
          catalogModuleFleet,
          schedulerFactory,
          createServiceFactory({
            service: coreServices.logger,
            deps: {},
            factory: () => logger,
          }),
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                rules: [{ allow: ['Component', 'Location'] }],
                locations: [
                  { type: 'file', target: join(dir, 'entities.yaml') },
                ],
              },
            },
          }),
        ],
      });
      try {
        const listed = async () => {
          const res = await request(backend.server)
            .get('/api/catalog/entities/by-query?filter=kind=component')
            .set('Authorization', mockCredentials.user.header());
          return (res.body.items as any[]).map(e => e.metadata.name).sort();
        };
        const until = async (want: string[]) => {
          for (let i = 0; i < 200; i++) {
            if (JSON.stringify(await listed()) === JSON.stringify(want)) return;
            await new Promise(r => setTimeout(r, 250));
          }
          throw new Error(`never listed ${want}; got ${await listed()}`);
        };
        const all = ['card-authorizer', 'payments-api', 'payments-ledger'];
        await until(all);

        // what a backend stopped between the two stitching writes leaves
        const { entity_id } = await knex('final_entities')
          .where('entity_ref', 'component:default/payments-api')
          .first('entity_id');
        await knex('search').where({ entity_id }).delete();
        expect(await listed()).toEqual(['card-authorizer', 'payments-ledger']);
        // it still opens by name, which is why nobody notices
        const byName = await request(backend.server)
          .get('/api/catalog/entities/by-name/component/default/payments-api')
          .set('Authorization', mockCredentials.user.header());
        expect(byName.status).toBe(200);

        await tasks.get('fleetdeck-catalog-search-repair')!();
        await until(all);
        expect(warnings.join('\n')).toMatch(
          /Stitching 1 entities again.*component:default\/payments-api$/,
        );

        // nothing left to repair: the next round changes and logs nothing
        warnings.length = 0;
        await tasks.get('fleetdeck-catalog-search-repair')!();
        expect(warnings).toEqual([]);
      } finally {
        await backend.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
