import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { RepositoryResolver } from '@fleetdeck/fleetdeck-node';
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DeploymentStore } from '../database/DeploymentStore';
import { DiffCacheStore } from '../database/DiffCacheStore';
import { migrate } from '../database/migrate';
import { component } from '../testing/fixtures';
import { DiffWarmer } from './DiffWarmer';
import { DriftService } from './DriftService';

jest.setTimeout(60_000);

const sha = (c: string) => c.repeat(40);

describe('DriftService', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const root = mkdtempSync(join(tmpdir(), 'fleetdeck-drift-'));
  mkdirSync(join(root, 'shared'));
  mkdirSync(join(root, 'own'));
  const outside = mkdtempSync(join(tmpdir(), 'fleetdeck-drift-outside-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  async function setup() {
    const knex = await databases.init('SQLITE_3');
    await migrate(knex);
    const store = new DeploymentStore(knex);
    const cache = new DiffCacheStore(knex);
    const resolver = new RepositoryResolver({
      allowedHosts: [],
      allowedRoots: [root],
    });
    const resolve = jest.spyOn(resolver, 'resolve');
    const warmer = { add: jest.fn() };
    const entities = [
      component('a', 'shared'),
      component('b', 'shared'),
      component('c', 'own'),
      component('d', outside), // refused: not under an allowed root
    ];
    const drift = new DriftService({
      store,
      cache,
      catalog: catalogServiceMock({ entities }),
      auth: {} as any,
      resolver,
      warmer: warmer as unknown as DiffWarmer,
      environments: ['production', 'staging'],
      productionEnvironment: 'production',
    });
    const deploy = (name: string, environment: string, commit: string) =>
      store.record({
        entityRef: `component:default/${name}`,
        environment,
        commitSha: sha(commit),
        deployedAt: Date.UTC(2026, 2, 1),
        status: 'succeeded',
        source: 'api',
      });
    for (const [name, prod, staging] of [
      ['a', '1', '2'],
      ['b', '1', '3'],
      ['c', '4', '5'],
      ['d', '6', '7'],
    ]) {
      await deploy(name, 'production', prod);
      await deploy(name, 'staging', staging);
    }
    const shared = resolver.resolveValue('shared');
    const own = resolver.resolveValue('own');
    const put = (repoKey: string, base: string, head: string, ahead: number) =>
      cache.put(
        repoKey,
        {
          base: sha(base),
          head: sha(head),
          status: 'ahead',
          ahead,
          behind: 0,
          mergeBase: sha(base),
          oldestCommitAt: '2026-02-01T00:00:00.000Z',
        },
        { ahead: [], behind: [] },
        true,
      );
    await put(shared.key, '1', '2', 7);
    await put(shared.key, '1', '3', 2);
    // c's comparison is not cached yet: it is queued
    resolve.mockClear();
    return { drift, resolve, warmer, own, cache, put };
  }

  it('resolves each named repository once, and reuses it across summaries for a while', async () => {
    const { drift, resolve, warmer, own } = await setup();
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(Date.UTC(2026, 2, 2));
      const first = await drift.summary(mockCredentials.user());
      expect(
        first.services.map(s => [s.entityRef, s.status, s.productionBehind]),
      ).toEqual([
        ['component:default/a', 'behind', 7],
        ['component:default/b', 'behind', 2],
        ['component:default/c', 'unknown', undefined],
        ['component:default/d', 'unknown', undefined],
      ]);
      expect(first.services.map(s => s.pending)).toEqual([
        undefined,
        undefined,
        true,
        true,
      ]);
      expect(warmer.add).toHaveBeenCalledTimes(1);
      expect(warmer.add).toHaveBeenCalledWith(own, sha('4'), sha('5'));
      // shared, own and the refused one: one resolution each
      expect(resolve).toHaveBeenCalledTimes(3);

      now.mockReturnValue(Date.UTC(2026, 2, 2) + 10_000);
      expect(await drift.summary(mockCredentials.user())).toEqual(first);
      expect(resolve).toHaveBeenCalledTimes(3);

      // later the file system is asked again (a repository may have moved)
      now.mockReturnValue(Date.UTC(2026, 2, 2) + 60_000);
      expect(await drift.summary(mockCredentials.user())).toEqual(first);
      expect(resolve).toHaveBeenCalledTimes(6);
    } finally {
      now.mockRestore();
    }
  });

  it('reads from the database only the comparisons it has not read before', async () => {
    const { drift, cache, own, put } = await setup();
    const getMany = jest.spyOn(cache, 'getMany');
    const pairs = () =>
      getMany.mock.calls.map(([wanted]) =>
        wanted.map(w => `${w.base[0]}..${w.head[0]}`).sort(),
      );
    const first = await drift.summary(mockCredentials.user());
    // d's repository is refused: nothing to read for it
    expect(pairs()).toEqual([['1..2', '1..3', '4..5']]);
    getMany.mockClear();
    expect(await drift.summary(mockCredentials.user())).toEqual(first);
    expect(pairs()).toEqual([['4..5']]);
    // the warmer (or another instance) stores c's comparison
    await put(own.key, '4', '5', 3);
    getMany.mockClear();
    const later = await drift.summary(mockCredentials.user());
    expect(pairs()).toEqual([['4..5']]);
    expect(
      later.services.map(s => [s.entityRef, s.status, s.productionBehind]),
    ).toEqual([
      ['component:default/a', 'behind', 7],
      ['component:default/c', 'behind', 3],
      ['component:default/b', 'behind', 2],
      ['component:default/d', 'unknown', undefined],
    ]);
    getMany.mockClear();
    expect(await drift.summary(mockCredentials.user())).toEqual(later);
    expect(getMany).not.toHaveBeenCalled();
  });
});
