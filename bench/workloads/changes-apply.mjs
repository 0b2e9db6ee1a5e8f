// Issue 13: one change applied over 300 repositories vs a shell loop.
// A fake GitHub in a process of its own (server.ts: real git over smart HTTP
// through `git http-backend`, and the pulls API) holds 300 repositories, each
// a package.json (express 4.18.2) and a Dockerfile on node:18; it is created
// afresh for each side, so neither finds the other's branch.
//  - engine: ChangeStore (SQLite, and PostgreSQL when it answers, as the
//    runbooks workloads pick) + ChangeWorker + RepositoryWork, a two-step
//    recipe (setField package.json dependencies.express, replace the
//    Dockerfile's FROM node:18) at concurrency 8; previews run first and are
//    not timed; timed from "apply" (rows queued) until every row is pr_open.
//  - baseline: `xargs -P 8` of bash per repository: git clone, node -e for
//    the JSON field, sed for the Dockerfile, git commit, git push to a new
//    branch, and curl for the same pull request: both sides open pull
//    requests on the same fake API over the same transport.
// Both must push the same tree (checked). Goal: engine / baseline <= 1.0x.
// CHANGES_BENCH_REPOS makes a smaller run; CHANGES_BENCH_DATABASES=sqlite
// skips PostgreSQL (RUNBOOKS_BENCH_PG or
// BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING names the server).
import { loadavg } from 'node:os';
import { databases, runScript } from './runbooks/run.mjs';

export const name =
  'changes apply (300 repositories, 2-step recipe, concurrency 8) vs a shell loop (xargs -P 8)';

const CONCURRENCY = 8;

const perRepo = (profile, repos) => {
  const n = Object.values(profile).reduce((a, p) => a + p.n, 0);
  return n / repos;
};
const describe = (profile, repos) =>
  Object.entries(profile)
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(
      ([k, p]) =>
        `${k} ${(p.n / repos).toFixed(1)}x ${Math.round(p.ms / p.n)} ms`,
    )
    .join(', ');

export async function run({ log }) {
  const repos = Number(process.env.CHANGES_BENCH_REPOS ?? 300);
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (pg && !process.env.RUNBOOKS_BENCH_PG) process.env.RUNBOOKS_BENCH_PG = pg;
  const wanted = process.env.CHANGES_BENCH_DATABASES?.split(',');
  const dbs = (await databases(log)).filter(
    db => !wanted || wanted.includes(db),
  );
  const script = '../changes/apply.ts';
  const options = { timeoutMs: 900_000 };
  const load = () =>
    loadavg()
      .map(l => l.toFixed(1))
      .join(' ');
  log(`load average before: ${load()} (2 cores)`);
  const base = await runScript(
    script,
    ['baseline', '-', repos, CONCURRENCY],
    options,
  );
  log(
    `baseline: ${(base.ms / 1000).toFixed(1)} s, ${Math.round(
      base.cpuMs / repos,
    )} ms CPU per repository (client side) + ${Math.round(
      base.server.cpuMs / repos,
    )} ms (server); per repository: bash, mktemp, git clone, git checkout, node -e, sed, git commit, git push, curl, rm; server: ${describe(
      base.server.spawns,
      repos,
    )}; load ${load()}`,
  );
  const results = [];
  for (const db of dbs) {
    const eng = await runScript(
      script,
      ['engine', db, repos, CONCURRENCY],
      options,
    );
    if (eng.tree !== base.tree) {
      throw new Error(
        `the engine pushed tree ${eng.tree}, the shell loop ${base.tree}`,
      );
    }
    log(
      `${db}: apply ${(eng.ms / 1000).toFixed(1)} s (previews before it ${(
        eng.previewMs / 1000
      ).toFixed(1)} s, not timed), ${Math.round(
        eng.cpuMs / repos,
      )} ms CPU per repository (engine) + ${Math.round(
        eng.server.cpuMs / repos,
      )} ms (server), ${(eng.queries / repos).toFixed(
        1,
      )} database queries per repository; load ${load()}`,
    );
    log(
      `${db}: git processes per repository ${perRepo(eng.spawns, repos).toFixed(
        1,
      )} (mean wall each): ${describe(eng.spawns, repos)}`,
    );
    log(
      `${db}: server requests per repository: ${describe(
        eng.server.spawns,
        repos,
      )}; engine phases: ${Object.entries(eng.phases)
        .map(([k, p]) => `${k} ${Math.round(p.ms / p.n)} ms`)
        .join(', ')}`,
    );
    results.push(
      {
        figure: `${db}: apply to ${repos} repositories until all pr_open, vs the xargs -P ${CONCURRENCY} shell loop`,
        value: eng.ms,
        baseline: base.ms,
        unit: 'ms',
        goal: 1.0,
        better: 'lower',
      },
      {
        figure: `${db}: CPU per repository, engine + server, vs the shell loop + server`,
        value: (eng.cpuMs + eng.server.cpuMs) / repos,
        baseline: (base.cpuMs + base.server.cpuMs) / repos,
        unit: 'ms',
      },
      {
        figure: `${db}: git processes the engine starts per repository`,
        value: perRepo(eng.spawns, repos),
        unit: 'processes',
      },
    );
  }
  return results;
}
