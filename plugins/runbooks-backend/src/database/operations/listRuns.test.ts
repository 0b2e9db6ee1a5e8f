import { TestDatabases } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { encodeCursor } from '@fleetdeck/fleetdeck-node';
import { Knex } from 'knex';
import { cluster, runbook } from '../../engine/testUtils';
import { DatabaseRunStore } from '../DatabaseRunStore';
import { claimTargets } from '../testUtils';

jest.setTimeout(120_000);

const databases = TestDatabases.create();

/** Counts the statements the store sends while `fn` runs. */
async function countQueries(knex: Knex, fn: () => Promise<unknown>) {
  let count = 0;
  const listener = () => {
    count += 1;
  };
  knex.on('query', listener);
  try {
    await fn();
  } finally {
    knex.removeListener('query', listener);
  }
  return count;
}

describe.each(databases.eachSupportedId())('listRuns on %s', databaseId => {
  let knex: Knex;
  let store: DatabaseRunStore;
  const runIds: string[] = [];

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    // a second between runs: the order of the list is theirs
    let now = Date.parse('2026-12-01T00:00:00Z');
    store = await DatabaseRunStore.fromKnex(knex, {
      clock: () => (now += 1000),
    });
    // 201 runs of three targets each, created one after the other
    for (let i = 0; i < 201; i++) {
      runIds.push(
        await store.createRun({
          runbookRef: `runbook:default/rb-${i % 3}`,
          runbook: runbook(`rb-${i % 3}`),
          parameters: { i },
          requestedBy: 'user:default/amelie',
          dryRun: false,
          concurrency: 1,
          targets: [0, 1, 2].map(t => ({
            entityRef: `cluster:default/c-${i}-${t}`,
            entity: cluster(`c-${i}-${t}`),
            needsApproval: t === 2,
          })),
        }),
      );
    }
    // the newest run has a target running
    await claimTargets(store, {
      workerId: 'w',
      limit: 1,
      staleAfterMs: 60_000,
    });
  });

  it('reads a page of 200 runs in as many queries as a page of 1', async () => {
    const one = await countQueries(knex, () => store.listRuns({ limit: 1 }));
    const many = await countQueries(knex, () => store.listRuns({ limit: 200 }));
    expect(one).toBe(2);
    expect(many).toBe(one);
  });

  it('gives each run its own target counts', async () => {
    const { items } = await store.listRuns({ limit: 200 });
    expect(items).toHaveLength(200);
    expect(items.every(r => r.total === 3)).toBe(true);
    expect(items.map(r => r.counts.awaiting_approval)).toEqual(
      Array(200).fill(1),
    );
    // the oldest run is the one claimed from (oldest first): it is not on
    // this page, which starts with the newest
    expect(items[0]).toMatchObject({
      id: runIds[200],
      parameters: { i: 200 },
      counts: { pending: 2, running: 0 },
      runbookTitle: 'Runbook rb-2',
    });
  });

  it('pages through every run once, newest first, with the filters applied', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listRuns({ limit: 50, cursor });
      seen.push(...page.items.map(r => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...runIds].reverse());

    const filtered = await store.listRuns({
      limit: 10,
      runbookRefs: ['runbook:default/rb-1'],
      entityRef: 'cluster:default/c-4-0',
    });
    expect(filtered.items.map(r => r.id)).toEqual([runIds[4]]);
    expect(filtered.nextCursor).toBeUndefined();
  });

  it.each([
    ['not base64 of a cursor', 'garbage'],
    ['a time that is not a number', encodeCursor(['soon', 'abc'])],
    ['a negative time', encodeCursor([-1, 'abc'])],
    ['no id', encodeCursor([1700000000000])],
    ['SQL in the id', encodeCursor([1, "x' OR 1=1 --"])],
    ['the old time|id form', Buffer.from('1|abc').toString('base64url')],
  ])('answers a cursor with %s with an InputError', async (_, cursor) => {
    await expect(store.listRuns({ limit: 10, cursor })).rejects.toBeInstanceOf(
      InputError,
    );
  });
});
