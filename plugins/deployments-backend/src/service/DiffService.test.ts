import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { MirrorManager, RepositoryResolver } from '@fleetdeck/fleetdeck-node';
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { DiffCacheStore } from '../database/DiffCacheStore';
import { migrate } from '../database/migrate';
import { PullRequestStore } from '../database/PullRequestStore';
import { CommitLinker } from '../enrichment/CommitLinker';
import { GitHubPullRequests } from '../enrichment/GitHubPullRequests';
import { appendLinearCommits, TestRepo } from '../testing/TestRepo';
import { GitRange } from '../git/GitRange';
import { DiffService } from './DiffService';

jest.setTimeout(120_000);

describe('DiffService', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const root = mkdtempSync(join(tmpdir(), 'fleetdeck-diff-'));
  let github: Server;
  let githubRequests: string[] = [];

  beforeAll(async () => {
    github = createServer((req, res) => {
      githubRequests.push(req.url!);
      const n = Number(/(\d+)$/.exec(req.url!)![1]);
      res.writeHead(200, {
        'content-type': 'application/json',
        etag: `"${n}"`,
      });
      res.end(
        JSON.stringify({
          number: n,
          state: 'closed',
          merged_at: '2026-03-01T00:00:00Z',
          title: `PR title ${n}`,
          user: { login: 'liam' },
          html_url: `https://github.com/fleetdeck-bank/payments-api/pull/${n}`,
        }),
      );
    });
    await new Promise<void>(r => github.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise(r => github.close(r)));

  async function setup(maxCommits = 50_000) {
    const knex = await databases.init('SQLITE_3');
    await migrate(knex);
    const config = new ConfigReader({
      integrations: {
        github: [
          {
            host: 'github.com',
            apiBaseUrl: `http://127.0.0.1:${
              (github.address() as AddressInfo).port
            }`,
          },
        ],
      },
    });
    const resolver = new RepositoryResolver({
      allowedHosts: [],
      allowedRoots: [root],
    });
    const mirrors = new MirrorManager({
      cacheDir: join(root, '.mirrors'),
      logger: mockServices.logger.mock(),
    });
    const pulls = new PullRequestStore(knex);
    const prs = new GitHubPullRequests({
      integrations: ScmIntegrations.fromConfig(config),
      store: pulls,
      logger: mockServices.logger.mock(),
    });
    const diff = new DiffService({
      mirrors,
      cache: new DiffCacheStore(knex),
      pulls,
      linker: CommitLinker.fromConfig(new ConfigReader({})),
      github: prs,
      maxCommits,
    });
    return { resolver, mirrors, diff, prs, knex, pulls };
  }

  it('serves a range from the cache once computed, without git', async () => {
    const repo = new TestRepo(join(root, 'ledger'));
    const a = repo.commit('Initial commit');
    repo.git('checkout', '--quiet', '-b', 'topic');
    repo.commit('LEDGER-3 double entry (#4)', 'src/ledger.ts');
    repo.git('checkout', '--quiet', 'main');
    repo.commit('LEDGER-5 fix rounding (#5)', 'src/round.ts');
    const b = repo.merge('topic', 'Merge pull request #6 from fleetdeck/topic');
    const { resolver, mirrors, diff } = await setup();
    const r = resolver.resolveValue('ledger');
    expect(await mirrors.ensure(r, [a, b])).toEqual([]);
    const first = await diff.diff(r, a, b);
    expect(first.commits.map(c => c.sha)).toEqual(repo.revList(`${a}..${b}`));
    expect(first.commits[0]).toMatchObject({ isMerge: true, files: [] });
    rmSync(mirrors.dir(r), { recursive: true, force: true });
    const again = await diff.diff(r, a, b);
    expect(again).toEqual(first);
  });

  it('answers a descendant range from one git log, exactly as the full comparison does, cold and cached', async () => {
    // main: c1 - c2 - c3 - m - c5          other: c1 - x1 - x2
    //          \         /
    // topic:     t1 ----      (forked before c3: c3..m also stops at c2)
    const repo = new TestRepo(join(root, 'shapes'));
    const c1 = repo.commit('Initial commit');
    const c2 = repo.commit('PAY-1 orders (#1)', 'src/orders.ts');
    repo.git('checkout', '--quiet', '-b', 'topic');
    const t1 = repo.commit('PAY-2 IBANs', 'src/iban.ts');
    repo.git('checkout', '--quiet', 'main');
    const c3 = repo.commit('PAY-3 limits (#3)', 'src/limits.ts');
    const m = repo.merge('topic', 'Merge pull request #4 from fleetdeck/topic');
    const c5 = repo.commit('Release 1.0 (#5)', 'CHANGELOG.md');
    repo.git('checkout', '--quiet', '-b', 'other', c1);
    repo.commit('PAY-6 rewrite', 'src/orders.ts');
    const x2 = repo.commit('PAY-7 rewrite more', 'src/limits.ts');
    repo.git('checkout', '--quiet', 'main');
    const cases: Array<[string, string, string, boolean]> = [
      // name, base, head, whether git had to count
      ['descendant across a merge', c3, c5, false],
      ['descendant from the root', c1, c5, false],
      ['descendant on the topic', c2, t1, false],
      ['descendant up to the merge', c2, m, false],
      ['rollback', c5, c2, true],
      ['diverged', c5, x2, true],
      ['topic vs main', t1, c3, true],
      ['identical', c3, c3, true],
    ];
    const { resolver, mirrors, diff, knex, pulls } = await setup();
    const r = resolver.resolveValue('shapes');
    await mirrors.ensure(r, [c5, x2]);
    const counted = jest.spyOn(GitRange.prototype, 'summary');
    const cold = [];
    try {
      for (const [name, base, head, counts] of cases) {
        counted.mockClear();
        const ahead = await diff.diff(r, base, head);
        const behind = await diff.diff(r, base, head, { side: 'behind' });
        expect([name, counted.mock.calls.length > 0]).toEqual([name, counts]);
        const mergeBase =
          base === head
            ? base
            : repo.git('merge-base', base, head) || undefined;
        expect([name, ahead]).toMatchObject([
          name,
          {
            ahead: repo.revList(`${base}..${head}`).length,
            behind: repo.revList(`${head}..${base}`).length,
            mergeBase,
            truncated: false,
          },
        ]);
        expect(ahead.commits.map(c => c.sha)).toEqual(
          repo.revList(`${base}..${head}`),
        );
        expect(behind.commits.map(c => c.sha)).toEqual(
          repo.revList(`${head}..${base}`),
        );
        cold.push([ahead, behind]);
      }
    } finally {
      counted.mockRestore();
    }
    // A new process reads the same pages from the database alone.
    rmSync(mirrors.dir(r), { recursive: true, force: true });
    const restarted = new DiffService({
      mirrors,
      cache: new DiffCacheStore(knex),
      pulls,
      linker: CommitLinker.fromConfig(new ConfigReader({})),
      maxCommits: 50_000,
    });
    const cached = [];
    for (const [, base, head] of cases) {
      cached.push([
        await restarted.diff(r, base, head),
        await restarted.diff(r, base, head, { side: 'behind' }),
      ]);
    }
    expect(cached).toEqual(cold);
  });

  it('pages a 20,000-commit range exactly as git rev-list orders it', async () => {
    const repo = new TestRepo(join(root, 'big'));
    const base = repo.commit('Initial commit');
    const shas = appendLinearCommits(repo, 20_000);
    const head = shas[shas.length - 1];
    const { resolver, mirrors, diff } = await setup();
    const r = resolver.resolveValue('big');
    await mirrors.ensure(r, [head]);
    const oracle = repo.revList(`${base}..${head}`);
    expect(oracle).toHaveLength(20_000);
    const first = await diff.diff(r, base, head, { limit: 100, files: false });
    expect(first).toMatchObject({
      ahead: 20_000,
      behind: 0,
      total: 20_000,
      truncated: false,
      status: 'ahead',
    });
    expect(first.commits.map(c => c.sha)).toEqual(oracle.slice(0, 100));
    // A page that straddles two stored chunks, and the last page.
    const middle = await diff.diff(r, base, head, {
      offset: 990,
      limit: 20,
      files: false,
    });
    expect(middle.commits.map(c => c.sha)).toEqual(oracle.slice(990, 1010));
    const last = await diff.diff(r, base, head, {
      offset: 19_950,
      limit: 100,
      files: false,
    });
    expect(last.commits.map(c => c.sha)).toEqual(oracle.slice(19_950));
  });

  it('caps the stored list, keeping counts exact', async () => {
    const { resolver, mirrors, diff } = await setup(500);
    const r = resolver.resolveValue('big');
    const shas = execFileSync('git', ['rev-list', 'main'], {
      cwd: join(root, 'big'),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    })
      .trim()
      .split('\n');
    const head = shas[0];
    const base = shas[1500];
    await mirrors.ensure(r, [head, base]);
    const d = await diff.diff(r, base, head, {
      offset: 400,
      limit: 200,
      files: false,
    });
    expect(d).toMatchObject({ ahead: 1500, total: 1500, truncated: true });
    expect(d.commits.map(c => c.sha)).toEqual(shas.slice(400, 500));
  });

  it('fetches when a force-pushed SHA arrives and still compares with the orphaned one', async () => {
    const repo = new TestRepo(join(root, 'cards'));
    const c1 = repo.commit('Initial commit');
    repo.commit('CARD-7 tokenise PANs', 'src/token.ts');
    const old = repo.commit('CARD-8 rotate keys', 'src/keys.ts');
    const { resolver, mirrors, diff } = await setup();
    const r = resolver.resolveValue('cards');
    await mirrors.ensure(r, [old]);
    // Force-push: main is rewritten after the mirror was made.
    repo.git('reset', '--quiet', '--hard', c1);
    const rewritten = repo.commit('CARD-9 rotate keys daily', 'src/keys.ts');
    expect(await mirrors.ensure(r, [rewritten])).toEqual([]);
    const d = await diff.diff(r, old, rewritten, { files: false });
    expect(d).toMatchObject({
      status: 'diverged',
      ahead: 1,
      behind: 2,
      mergeBase: c1,
    });
    expect(d.commits.map(c => c.sha)).toEqual(
      repo.revList(`${old}..${rewritten}`),
    );
    const behind = await diff.diff(r, old, rewritten, {
      side: 'behind',
      files: false,
    });
    expect(behind.commits.map(c => c.subject)).toEqual([
      'CARD-8 rotate keys',
      'CARD-7 tokenise PANs',
    ]);
  });

  it('queues GitHub lookups when a range is computed, never for a page view', async () => {
    const repo = new TestRepo(join(root, 'payments-gh'));
    const a = repo.commit('Initial commit');
    repo.commit('Instant payments (#41)', 'src/a.ts');
    const b = repo.commit('SEPA batch limits (#42)', 'src/b.ts');
    const { mirrors, diff, prs } = await setup();
    const r = {
      url: `file://${repo.dir}`,
      key: 'payments-gh-key',
      name: 'payments-api',
      host: 'github.com',
      webUrl: 'https://github.com/fleetdeck-bank/payments-api',
      github: {
        host: 'github.com',
        owner: 'fleetdeck-bank',
        repo: 'payments-api',
      },
    };
    await mirrors.ensure(r, [b]);
    githubRequests = [];
    await diff.diff(r, a, b);
    await prs.idle();
    expect(githubRequests.sort()).toEqual([
      '/repos/fleetdeck-bank/payments-api/pulls/41',
      '/repos/fleetdeck-bank/payments-api/pulls/42',
    ]);
    githubRequests = [];
    for (let i = 0; i < 5; i++) {
      const view = await diff.diff(r, a, b);
      expect(view.commits[0].references[0]).toMatchObject({
        key: '#42',
        title: 'PR title 42',
        author: 'liam',
        state: 'merged',
      });
      expect(view.compareUrl).toBe(
        `https://github.com/fleetdeck-bank/payments-api/compare/${a}...${b}`,
      );
    }
    await prs.idle();
    expect(githubRequests).toEqual([]);
  });
});
