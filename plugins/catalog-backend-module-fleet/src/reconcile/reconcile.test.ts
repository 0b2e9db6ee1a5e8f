import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Knex } from 'knex';
import request from 'supertest';
import { manualScheduler } from '../__testUtils__/manualScheduler';
import { catalogModuleFleet } from '../module';
import { healStuckEntities } from './healStuckEntities';

jest.setTimeout(180_000);

const CLUSTERS = 30;
const LOST = ['c3', 'c14', 'c27'];

const org = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: sre }
spec: { type: team, children: [] }
`;

const inventory = Array.from(
  { length: CLUSTERS },
  (_, i) => `
[c${i}]
c${i}-[1:2].example

[c${i}:vars]
fleetdeck_cluster=true
fleetdeck_engine=kafka
fleetdeck_version="3.7.${i}"
fleetdeck_environment=production
fleetdeck_owner=sre
`,
).join('');

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const databases = TestDatabases.create();

/**
 * A database the catalog ingested the inventory into, with the backend
 * stopped: no processing or stitching loop changes the rows a test sets.
 */
async function ingestThenStop(databaseId: TestDatabaseId): Promise<Knex> {
  const { factory } = manualScheduler(id => id.startsWith('fleet-'));
  const dir = mkdtempSync(join(tmpdir(), 'fleet-reconcile-'));
  writeFileSync(join(dir, 'org.yaml'), org);
  writeFileSync(join(dir, 'hosts.ini'), inventory);
  const knex = await databases.init(databaseId);
  const backend = await startCatalog(knex, dir, factory);
  try {
    const deadline = Date.now() + 60_000;
    while (
      Number(
        (
          await knex('final_entities')
            .where('entity_ref', 'like', 'cluster:%')
            .count({ n: '*' })
        )[0].n,
      ) < CLUSTERS
    ) {
      if (Date.now() > deadline) throw new Error('timed out: ingestion');
      await sleep(200);
    }
  } finally {
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return knex;
}

/** Removes what serves these entities (stitched row, search rows); returns their ids. */
async function unserve(knex: Knex, refs: string[]): Promise<string[]> {
  const ids = (
    await knex('refresh_state').whereIn('entity_ref', refs).select('entity_id')
  ).map(r => r.entity_id);
  await knex('search').whereIn('entity_id', ids).delete();
  await knex('final_entities').whereIn('entity_id', ids).delete();
  return ids;
}

/** `seconds` from now, written as the catalog writes it (on SQLite a datetime string). */
const inSeconds = (knex: Knex, seconds: number) =>
  String(knex.client.config.client).includes('pg')
    ? knex.raw('now() + make_interval(secs => ?)', [seconds])
    : knex.raw("datetime('now', ?)", [`${seconds} seconds`]);

/** The catalog with this module, an org file and the inventory, on `knex`. */
function startCatalog(
  knex: Knex,
  dir: string,
  factory: ReturnType<typeof manualScheduler>['factory'],
) {
  return startTestBackend({
    features: [
      mockServices.database.factory({ knex }),
      catalogPlugin,
      catalogModuleFleet,
      factory,
      mockServices.rootConfig.factory({
        data: {
          catalog: {
            rules: [{ allow: ['Group', 'Location', 'Cluster'] }],
            locations: [{ type: 'file', target: join(dir, 'org.yaml') }],
            providers: {
              fleet: {
                ansible: {
                  demo: {
                    path: join(dir, 'hosts.ini'),
                    schedule: {
                      frequency: { minutes: 30 },
                      timeout: { minutes: 1 },
                    },
                  },
                },
              },
            },
          },
        },
      }),
    ],
  });
}

describe.each(databases.eachSupportedId())(
  'reconciling the inventory with the catalog on %s',
  databaseId => {
    it('heals clusters processed but never stitched, which no refresh heals, and counts them on the status entity', async () => {
      const { factory, tasks } = manualScheduler(id => id.startsWith('fleet-'));
      const dir = mkdtempSync(join(tmpdir(), 'fleet-reconcile-'));
      writeFileSync(join(dir, 'org.yaml'), org);
      writeFileSync(join(dir, 'hosts.ini'), inventory);
      const knex = await databases.init(databaseId);
      const backend = await startCatalog(knex, dir, factory);
      const served = async () => {
        const res = await request(backend.server)
          .get('/api/catalog/entities/by-query')
          .query({
            filter: 'kind=cluster',
            fields: 'metadata.name',
            limit: 1000,
          });
        return (res.body.items as Array<{ metadata: { name: string } }>)
          .map(e => e.metadata.name)
          .sort();
      };
      const counts = async () => {
        const res = await request(backend.server).get(
          '/api/catalog/entities/by-name/location/default/fleet-inventory-ansible-demo',
        );
        const a = res.body.metadata?.annotations ?? {};
        return `${a['fleetdeck.io/inventory-cluster-count']}/${a['fleetdeck.io/inventory-served-count']}/${a['fleetdeck.io/inventory-healing-count']}`;
      };
      const until = async (check: () => Promise<boolean>, what: string) => {
        const deadline = Date.now() + 60_000;
        while (!(await check())) {
          if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
          await sleep(200);
        }
      };
      const reconcile = tasks.get('fleetdeck-catalog-inventory-reconcile')!;
      try {
        await until(
          async () => (await served()).length === CLUSTERS,
          'ingestion',
        );

        // What a backend killed between processing and stitching leaves: the
        // processed entity and its result hash, no final_entities row, and
        // nothing in the stitch queue.
        const refs = LOST.map(n => `cluster:default/${n}`);
        const ids = await unserve(knex, refs);
        await knex('stitch_queue').whereIn('entity_ref', refs).delete();
        expect(await served()).toHaveLength(CLUSTERS - LOST.length);

        // The catalog's own processing does not heal them: they are processed
        // again, the result hash is the same, and nothing is queued to stitch.
        await knex('refresh_state')
          .whereIn('entity_id', ids)
          .update({ next_update_at: knex.fn.now() });
        await until(
          async () =>
            (
              await knex('refresh_state')
                .whereIn('entity_id', ids)
                .where('next_update_at', '>', knex.fn.now())
            ).length === ids.length,
          'reprocessing',
        );
        await sleep(2000);
        expect(await served()).toHaveLength(CLUSTERS - LOST.length);

        // The reconcile finds exactly them, and heals them once a second look
        // (10 s later) finds them still stuck; the status entity counts them.
        await reconcile();
        await sleep(10_500);
        expect(await served()).toHaveLength(CLUSTERS - LOST.length);
        await reconcile();
        await until(
          async () => (await served()).length === CLUSTERS,
          'healing',
        );
        expect(await served()).toEqual(
          Array.from({ length: CLUSTERS }, (_, i) => `c${i}`).sort(),
        );
        await until(
          async () =>
            (await counts()) ===
            `${CLUSTERS}/${CLUSTERS - LOST.length}/${LOST.length}`,
          'status entity while healing',
        );
        await reconcile();
        await until(
          async () => (await counts()) === `${CLUSTERS}/${CLUSTERS}/0`,
          'status entity after healing',
        );
      } finally {
        await backend.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('leaves alone clusters due for processing, as after the provider emits new content, and heals only the stuck ones', async () => {
      const knex = await ingestThenStop(databaseId);
      // Both unserved, processed, with a result hash and nothing queued; c1
      // is due for processing (its new content not reached yet), c2 is not.
      const rows = await knex('refresh_state')
        .whereIn('entity_ref', ['cluster:default/c1', 'cluster:default/c2'])
        .select('entity_id', 'entity_ref', 'result_hash');
      const id = (ref: string) =>
        rows.find(r => r.entity_ref === ref)!.entity_id;
      const ids = await unserve(
        knex,
        rows.map(r => r.entity_ref),
      );
      await knex('stitch_queue').delete();
      await knex('refresh_state')
        .where('entity_id', id('cluster:default/c1'))
        .update({ next_update_at: inSeconds(knex, -60) });
      await knex('refresh_state')
        .where('entity_id', id('cluster:default/c2'))
        .update({ next_update_at: inSeconds(knex, 3600) });

      const result = await healStuckEntities(knex, [
        'cluster:default/c1',
        'cluster:default/c2',
      ]);
      expect(result).toEqual({
        healed: ['cluster:default/c2'],
        released: [],
        failing: [],
        pending: ['cluster:default/c1'],
      });
      const after = await knex('refresh_state')
        .whereIn('entity_id', ids)
        .select('entity_ref', 'result_hash');
      const hash = (ref: string) =>
        after.find(r => r.entity_ref === ref)!.result_hash;
      expect(hash('cluster:default/c1')).toBe(
        rows.find(r => r.entity_ref === 'cluster:default/c1')!.result_hash,
      );
      expect(hash('cluster:default/c2')).toBe('');
    });

    it('releases clusters whose stitch a stopped backend claimed over 10 s ago, and leaves fresh claims and queued ones alone', async () => {
      const knex = await ingestThenStop(databaseId);
      // Unserved, all three in the stitch queue, as the catalog leaves them
      // (a claim moves next_stitch_at a stitch timeout, 60 s, ahead): c1
      // claimed 15 s ago, c2 2 s ago, c3 requested and due now.
      const refs = ['c1', 'c2', 'c3'].map(n => `cluster:default/${n}`);
      await unserve(knex, refs);
      await knex('stitch_queue').delete();
      const queue = (ref: string, ticket: string, dueInSeconds: number) =>
        knex('stitch_queue').insert({
          entity_ref: ref,
          stitch_ticket: ticket,
          next_stitch_at: inSeconds(knex, dueInSeconds),
        });
      await queue(refs[0], 'a', 45);
      await queue(refs[1], 'b', 58);
      await queue(refs[2], 'c', -1);
      const dueNow = async () =>
        (
          await knex('stitch_queue')
            .where('next_stitch_at', '<=', knex.fn.now())
            .select('entity_ref')
        )
          .map(r => r.entity_ref)
          .sort();
      const look = async (stitchTimeoutMs?: number) => {
        const found = await healStuckEntities(
          knex,
          refs,
          undefined,
          stitchTimeoutMs,
        );
        return { ...found, pending: [...found.pending].sort() };
      };

      // one look: c1's stitcher is gone, c2's may be at work
      expect(await look()).toEqual({
        healed: [],
        released: [refs[0]],
        failing: [],
        pending: [refs[1], refs[2]],
      });
      expect(await dueNow()).toEqual([refs[0], refs[2]]);

      // with the catalog's stitch timeout set to 3 minutes, c2's claim is
      // 2 minutes old
      expect(await look(180_000)).toEqual({
        healed: [],
        released: [refs[1]],
        failing: [],
        pending: [refs[0], refs[2]],
      });
      expect(await dueNow()).toEqual(refs);
      // the tickets stay: the stitch that completes removes the request
      const tickets = await knex('stitch_queue')
        .orderBy('entity_ref')
        .select('stitch_ticket');
      expect(tickets.map(t => t.stitch_ticket)).toEqual(['a', 'b', 'c']);
    });
  },
);
