// Deployment diffs, cold: the diff engine comparing a 5,000-commit range of a
// 20,000-commit repository (counts, the full commit list, stored in the
// SQLite cache, first page served) against plain git doing the same range
// work on the same bare mirror: `git rev-list --count A..B` + `git log A..B`.
// Both run in one Node process, interleaved (alternating which goes first),
// 9 times each; medians compared. Goal: the engine within 1.1x of git.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const { makeRepo } = createRequire(import.meta.url)('./deployments/repo.cjs');

export const name =
  'deployments: cold 5,000-commit diff on a 20,000-commit repo (engine vs git)';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMMITS = Number(process.env.DEPLOYMENTS_BENCH_COMMITS ?? 20_000);
const RANGE = Number(process.env.DEPLOYMENTS_BENCH_RANGE ?? 5_000);
const RUNS = Number(process.env.DEPLOYMENTS_BENCH_RUNS ?? 9);

// Runs inside the backend's TypeScript transform, so it uses the plugin's own classes.
const helper = `
const { execFile } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const knexFactory = require('knex');
const { ConfigReader } = require('@backstage/config');
const { migrate } = require('@fleetdeck/plugin-deployments-backend/src/database/migrate');
const { DiffCacheStore } = require('@fleetdeck/plugin-deployments-backend/src/database/DiffCacheStore');
const { PullRequestStore } = require('@fleetdeck/plugin-deployments-backend/src/database/PullRequestStore');
const { CommitLinker } = require('@fleetdeck/plugin-deployments-backend/src/enrichment/CommitLinker');
const { MirrorManager, RepositoryResolver } = require('@fleetdeck/fleetdeck-node');
const { DiffService } = require('@fleetdeck/plugin-deployments-backend/src/service/DiffService');
const [root, base, head, runs] = process.argv.slice(1);
const git = (args, cwd) => new Promise((ok, fail) =>
  execFile('git', args, { cwd, maxBuffer: 1 << 30 }, (e, out) => (e ? fail(e) : ok(out))));
(async () => {
  const logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return logger; } };
  const resolver = new RepositoryResolver({ allowedHosts: [], allowedRoots: [root] });
  const repo = resolver.resolveValue('big');
  const mirrors = new MirrorManager({ cacheDir: root + '/mirrors', logger });
  await mirrors.ensure(repo, [base, head]);
  const mirror = mirrors.dir(repo);
  const result = { engine: [], git: [], gitLog: [], ahead: 0 };
  await git(['log', base + '..' + head], mirror); // same warm page cache for both sides
  const runGit = async () => {
    const t = performance.now();
    const count = Number((await git(['rev-list', '--count', base + '..' + head], mirror)).trim());
    const t2 = performance.now();
    const log = await git(['log', base + '..' + head], mirror);
    result.git.push(performance.now() - t);
    result.gitLog.push(performance.now() - t2);
    if (!log.length) throw new Error('empty git log');
    const first = [];
    for (const m of log.matchAll(/^commit ([0-9a-f]+)/gm)) {
      if (first.push(m[1]) === 100) break;
    }
    return { count, first };
  };
  const runEngine = async () => {
    const db = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
    await migrate(db);
    const diff = new DiffService({
      mirrors, cache: new DiffCacheStore(db), pulls: new PullRequestStore(db),
      linker: CommitLinker.fromConfig(new ConfigReader({})), maxCommits: 50000,
    });
    const t = performance.now();
    const page = await diff.diff(repo, base, head, { limit: 100, files: false });
    result.engine.push(performance.now() - t);
    await db.destroy();
    return page;
  };
  for (let i = 0; i < Number(runs); i++) {
    // alternate which side goes first, so neither always follows the other
    let listed;
    let page;
    if (i % 2) {
      page = await runEngine();
      listed = await runGit();
    } else {
      listed = await runGit();
      page = await runEngine();
    }
    const count = listed.count;
    if (page.ahead !== count || page.total !== count) throw new Error('engine and git disagree: ' + page.ahead + ' vs ' + count);
    if (page.commits.map(c => c.sha).join() !== listed.first.join()) throw new Error('engine and git list different first pages');
    result.ahead = count;
  }
  process.stdout.write(JSON.stringify(result));
})().catch(e => { console.error(e); process.exit(1); });
`;

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run({ log }) {
  const root = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-diff-'));
  try {
    let t = performance.now();
    const shas = makeRepo(join(root, 'big'), COMMITS);
    log(
      `made a ${COMMITS}-commit repository (with merges) in ${Math.round(
        performance.now() - t,
      )} ms`,
    );
    const head = shas[shas.length - 1];
    const base = shas[shas.length - 1 - RANGE];
    const out = await new Promise((ok, fail) => {
      const child = spawn(
        process.execPath,
        [
          '-r',
          '@backstage/cli/config/nodeTransform.cjs',
          '-e',
          helper,
          root,
          base,
          head,
          String(RUNS),
        ],
        {
          cwd: join(repoRoot, 'plugins/deployments-backend'),
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const chunks = [];
      child.stdout.on('data', d => chunks.push(d));
      child.on('exit', code =>
        code === 0
          ? ok(JSON.parse(Buffer.concat(chunks).toString()))
          : fail(new Error(`helper exited ${code}`)),
      );
    });
    log(
      `range ${base.slice(0, 7)}..${head.slice(0, 7)}: ${
        out.ahead
      } commits (git rev-list --count agrees; first page = git log's first 100)`,
    );
    log(`engine runs (ms): ${out.engine.map(x => x.toFixed(0)).join(' ')}`);
    log(`git runs (ms):    ${out.git.map(x => x.toFixed(0)).join(' ')}`);
    log(
      `of which git log alone (ms): ${out.gitLog
        .map(x => x.toFixed(0))
        .join(' ')} (median ${median(out.gitLog).toFixed(0)})`,
    );
    return [
      {
        figure: `cold diff of ${out.ahead} commits (median of ${RUNS})`,
        value: median(out.engine),
        baseline: median(out.git),
        unit: 'ms',
        goal: 1.1,
        better: 'lower',
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
