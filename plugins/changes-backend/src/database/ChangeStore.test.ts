import { TestDatabases } from '@backstage/backend-test-utils';
import { ChangeStore } from './ChangeStore';
import { migrate } from './migrate';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const recipe = [
  {
    type: 'replace' as const,
    files: ['Dockerfile'],
    pattern: 'node:18',
    fixedString: true,
    flags: '',
    replacement: 'node:20',
  },
];

async function storeWith(
  databaseId: string,
  repositories: number,
  concurrency = 2,
) {
  const knex = await databases.init(databaseId as 'SQLITE_3');
  await migrate(knex);
  const store = new ChangeStore(knex);
  const id = '6f1d2c3e-0000-4000-8000-000000000001';
  await store.create({
    id,
    title: 'Node 18 → 20',
    description: '',
    createdBy: 'user:default/alice',
    branch: 'fleetdeck/node-20',
    concurrency,
    targets: {},
    recipe,
    trusted: false,
    repositories: Array.from({ length: repositories }, (_, i) => ({
      entityRef: `component:default/svc-${String(i).padStart(3, '0')}`,
      repoUrl: `file:///repos/svc-${i}.git`,
    })),
  });
  return { knex, store, id };
}

describe.each(databases.eachSupportedId())('ChangeStore on %s', databaseId => {
  it('hands each repository to one worker, and previews before apply', async () => {
    const { store, id } = await storeWith(databaseId, 5);
    const [a, b] = await Promise.all([
      store.claim({ workerId: 'a', limit: 5, staleBefore: 0 }),
      store.claim({ workerId: 'b', limit: 5, staleBefore: 0 }),
    ]);
    const refs = [...a, ...b].map(r => r.entityRef);
    expect(refs).toHaveLength(5);
    expect(new Set(refs).size).toBe(5);
    expect([...a, ...b].every(r => r.state === 'pending')).toBe(true);
    expect((await store.get(id)).state).toBe('previewing');

    for (const row of a)
      await store.record(row, 'a', { state: 'previewed', diff: 'd' });
    for (const row of b) await store.record(row, 'b', { state: 'no_change' });
    const change = await store.get(id);
    expect(change.state).toBe('ready');
    expect(change.counts).toEqual({
      ...(a.length ? { previewed: a.length } : {}),
      ...(b.length ? { no_change: b.length } : {}),
    });
  });

  it("keeps the change's apply concurrency across workers, and takes over a dead worker's rows", async () => {
    const { store, id } = await storeWith(databaseId, 6, 2);
    const rows = await store.claim({
      workerId: 'a',
      limit: 10,
      staleBefore: 0,
    });
    for (const row of rows)
      await store.record(row, 'a', { state: 'previewed' });
    const refs = rows.map(r => r.entityRef);
    await store.transition({
      changeId: id,
      entityRefs: refs,
      from: ['previewed'],
      to: 'queued',
      appliedBy: 'user:default/alice',
    });

    const first = await store.claim({
      workerId: 'a',
      limit: 10,
      staleBefore: Date.now() - 30_000,
    });
    const second = await store.claim({
      workerId: 'b',
      limit: 10,
      staleBefore: Date.now() - 30_000,
    });
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(0);
    expect(first.every(r => r.state === 'applying' && r.attempts === 1)).toBe(
      true,
    );
    expect((await store.get(id)).state).toBe('applying');

    // worker a dies: once its heartbeats are stale, b takes its rows over
    const takeover = await store.claim({
      workerId: 'b',
      limit: 10,
      staleBefore: Date.now() + 1,
    });
    expect(takeover.map(r => r.entityRef).sort()).toEqual(
      first.map(r => r.entityRef).sort(),
    );
    expect(takeover.every(r => r.attempts === 2)).toBe(true);
    // a's late write is refused: the claim is b's now
    expect(await store.record(first[0], 'a', { state: 'pr_open' })).toBe(false);
    expect(
      await store.record(takeover[0], 'b', {
        state: 'pr_open',
        prUrl: 'http://pr/1',
        prNumber: 1,
      }),
    ).toBe(true);
    const repo = (await store.get(id)).repositories.find(
      r => r.entityRef === takeover[0].entityRef,
    );
    expect(repo).toMatchObject({
      state: 'pr_open',
      pullRequest: { number: 1, url: 'http://pr/1' },
    });
  });

  it('lists changes newest first in pages, with counts, in a constant number of queries', async () => {
    const { knex, store } = await storeWith(databaseId, 3);
    for (let i = 0; i < 4; i++) {
      await store.create({
        id: `6f1d2c3e-0000-4000-8000-00000000010${i}`,
        title: `change ${i}`,
        description: '',
        createdBy: 'user:default/alice',
        branch: 'b',
        concurrency: 1,
        targets: {},
        recipe,
        trusted: false,
        repositories: [
          { entityRef: 'component:default/svc-000', repoUrl: 'file:///r.git' },
        ],
      });
    }
    const queries: string[] = [];
    const count = (q: { sql: string }) => queries.push(q.sql);
    knex.on('query', count);
    const page1 = await store.list({ limit: 2 });
    const small = queries.length;
    queries.length = 0;
    const all = await store.list({ limit: 50 });
    knex.off('query', count);
    expect(queries.length).toBe(small);
    expect(all.items).toHaveLength(5);
    expect(page1.items).toHaveLength(2);
    const page2 = await store.list({ limit: 2, before: page1.next });
    expect(page2.items.map(i => i.id)).toEqual(
      all.items.slice(2, 4).map(i => i.id),
    );
    const withThree = all.items.find(i => i.total === 3);
    expect(withThree?.counts).toEqual({ pending: 3 });
    const forEntity = await store.list({
      limit: 50,
      entityRef: 'component:default/svc-002',
    });
    expect(forEntity.items.map(i => i.total)).toEqual([3]);
    // the entity's own row comes with each change, in the same constant queries
    expect(forEntity.items[0].repository).toMatchObject({
      entityRef: 'component:default/svc-002',
      state: 'pending',
    });
    expect(all.items[0].repository).toBeUndefined();
  });
});
