import { TestDatabases } from '@backstage/backend-test-utils';
import { DiffCacheStore } from './DiffCacheStore';
import { DeploymentStore } from './DeploymentStore';
import { migrate } from './migrate';

jest.setTimeout(60_000);

const databases = TestDatabases.create();
const sha = (c: string) => c.repeat(40);
const at = (day: number) => Date.UTC(2026, 2, day);

describe.each(databases.eachSupportedId())('stores on %s', databaseId => {
  async function setup() {
    const knex = await databases.init(databaseId);
    await migrate(knex);
    return {
      store: new DeploymentStore(knex),
      cache: new DiffCacheStore(knex),
    };
  }

  it('records idempotently, keeps history and picks the newest successful as current', async () => {
    const { store } = await setup();
    const d = {
      entityRef: 'component:default/a',
      environment: 'production',
      status: 'succeeded' as const,
      source: 'api',
    };
    expect(
      (await store.record({ ...d, commitSha: sha('1'), deployedAt: at(1) }))
        .created,
    ).toBe(true);
    expect(
      (await store.record({ ...d, commitSha: sha('1'), deployedAt: at(1) }))
        .created,
    ).toBe(false);
    await store.record({
      ...d,
      commitSha: sha('2'),
      deployedAt: at(2),
      version: '1.1.0',
    });
    await store.record({
      ...d,
      commitSha: sha('3'),
      deployedAt: at(3),
      status: 'failed',
    });
    await store.record({
      ...d,
      environment: 'staging',
      commitSha: sha('3'),
      deployedAt: at(3),
    });
    await store.record({
      ...d,
      entityRef: 'component:default/b',
      commitSha: sha('4'),
      deployedAt: at(1),
    });

    const history = await store.history({
      entityRef: 'component:default/a',
      environment: 'production',
      limit: 10,
    });
    expect(history.map(h => [h.commitSha[0], h.status])).toEqual([
      ['3', 'failed'],
      ['2', 'succeeded'],
      ['1', 'succeeded'],
    ]);
    expect(history[1]).toMatchObject({
      version: '1.1.0',
      deployedAt: '2026-03-02T00:00:00.000Z',
    });

    const current = await store.current(['component:default/a']);
    expect(current.map(c => [c.environment, c.commitSha[0]]).sort()).toEqual([
      ['production', '2'],
      ['staging', '3'],
    ]);
    expect((await store.current()).length).toBe(3);
    // a second record at the same instant: the one recorded last is current
    await store.record({
      ...d,
      environment: 'staging',
      commitSha: sha('5'),
      deployedAt: at(3),
    });
    const all = await store.current();
    expect(all.find(c => c.environment === 'staging')?.commitSha).toBe(
      sha('5'),
    );
    // the drift summary's lean read agrees with the full one
    const key = (c: { entityRef: string; environment: string }) =>
      `${c.entityRef} ${c.environment}`;
    expect(
      (await store.currentCommits()).sort((x, y) =>
        key(x).localeCompare(key(y)),
      ),
    ).toEqual(
      all
        .sort((x, y) => key(x).localeCompare(key(y)))
        .map(c => ({
          entityRef: c.entityRef,
          environment: c.environment,
          commitSha: c.commitSha,
          version: c.version,
          deployedAt: c.deployedAt,
        })),
    );
  });

  it('caches a range with its commits in chunks, first writer wins', async () => {
    const { cache } = await setup();
    const commit = (i: number) => ({
      sha: String(i).padStart(40, '0'),
      parents: [],
      authorName: 'A',
      authorEmail: 'a@x',
      authoredAt: '2026-03-01T00:00:00Z',
      subject: `c${i}`,
      body: '',
    });
    const ahead = Array.from({ length: 2500 }, (_, i) => commit(i));
    const summary = {
      base: sha('a'),
      head: sha('b'),
      status: 'ahead' as const,
      ahead: 2500,
      behind: 0,
      oldestCommitAt: '2026-03-01T00:00:00.000Z',
    };
    await cache.put('repo', summary, { ahead, behind: [] }, false);
    await cache.put(
      'repo',
      { ...summary, ahead: 1 },
      { ahead: [commit(9)], behind: [] },
      false,
    );
    const range = (await cache.get('repo', sha('a'), sha('b')))!;
    expect(range).toMatchObject({
      status: 'ahead',
      ahead: 2500,
      truncated: false,
      oldestCommitAt: '2026-03-01T00:00:00.000Z',
    });
    expect(
      (await cache.chunk(range.id, 'ahead', 2)).map(c => c.subject),
    ).toEqual(ahead.slice(2000).map(c => c.subject));
    const many = await cache.getMany([
      { repoKey: 'repo', base: sha('a'), head: sha('b') },
    ]);
    expect(many.get(`repo:${sha('a')}:${sha('b')}`)?.ahead).toBe(2500);
  });
});
