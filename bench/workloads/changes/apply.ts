/*
 * One side of the "apply over N repositories" benchmark, in a process of its
 * own, against a fresh fake GitHub in another process (server.ts: real git
 * over smart HTTP, and the pulls API) holding N repositories (package.json
 * with express 4.18.2, a Dockerfile on node:18):
 *
 *   apply.ts engine <sqlite|pg> <repos> <concurrency>
 *     ChangeStore + ChangeWorker + RepositoryWork as the backend runs them;
 *     previews first (not timed), then from "apply" (rows queued) until every
 *     row is pr_open.
 *   apply.ts baseline - <repos> <concurrency>
 *     a shell loop, `xargs -P <concurrency>` of bash per repository: git
 *     clone, the same two edits (node -e for the JSON field, sed for the
 *     Dockerfile), git commit, git push to a new branch, and the same
 *     pull-request call with curl.
 *
 * Both sides open pull requests on the same fake API, and git goes over the
 * same transport (http to the fake's `git http-backend`). Prints one JSON
 * line: { ms, cpuMs, spawns, phases, tree, ... }.
 */
import { ConfigReader } from '@backstage/config';
import { ChangeStore } from '@fleetdeck/plugin-changes-backend/src/database/ChangeStore';
import { migrate } from '@fleetdeck/plugin-changes-backend/src/database/migrate';
import { DefaultRepositoryAccess } from '@fleetdeck/plugin-changes-backend/src/git/DefaultRepositoryAccess';
import { RepositoryAccess } from '@fleetdeck/plugin-changes-backend/src/git/RepositoryAccess';
import { reviewHostFor } from '@fleetdeck/plugin-changes-backend/src/hosts';
import { ChangeWorker } from '@fleetdeck/plugin-changes-backend/src/work/ChangeWorker';
import { RepositoryWork } from '@fleetdeck/plugin-changes-backend/src/work/RepositoryWork';
import { Recipe, recipeSchema } from '@fleetdeck/plugin-changes-common';
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { Knex } from 'knex';
import { tmpdir } from 'os';
import { join } from 'path';
import { createInterface } from 'readline';
import { database as openDatabase } from '../runbooks/shared';
import {
  quietLogger,
  run,
  SpawnProfile,
  startProfile,
  stopProfile,
  treeCpuMs,
} from './shared';

const [side = 'engine', client = 'sqlite', reposArg = '300', concArg = '8'] =
  process.argv.slice(2);
const REPOS = Number(reposArg);
const CONCURRENCY = Number(concArg);
const OWNER = 'bank';
const BRANCH = 'fleetdeck/node-20';
const TITLE = 'Node 18 -> 20 and express 4.21.2';
const DESCRIPTION = 'Node 18 leaves LTS.';
const name = (i: number) => `svc-${String(i).padStart(3, '0')}`;

// parsed as the API parses it (defaults filled in)
const recipe: Recipe = recipeSchema.parse([
  {
    type: 'setField',
    files: ['package.json'],
    path: 'dependencies.express',
    value: '4.21.2',
  },
  {
    type: 'replace',
    files: ['Dockerfile'],
    pattern: '^FROM node:18(\\S*)',
    flags: 'm',
    replacement: 'FROM node:20$1',
  },
]);

/** The tree the change's branch holds in the first repository (both sides must push the same). */
async function pushedTree(server: Server): Promise<string> {
  const { stdout } = await run('git', [
    `--git-dir=${server.gitRoot}${OWNER}/${name(0)}.git`,
    'rev-parse',
    `refs/heads/${BRANCH}^{tree}`,
  ]);
  return stdout.toString().trim();
}

async function countStates(
  knex: Knex,
  changeId: string,
): Promise<Record<string, number>> {
  const rows: { state: string; n: number | string }[] = await knex(
    'changes_repositories',
  )
    .where({ change_id: changeId })
    .groupBy('state')
    .select('state')
    .count({ n: '*' });
  return Object.fromEntries(rows.map(r => [r.state, Number(r.n)]));
}

async function until(
  knex: Knex,
  changeId: string,
  done: (c: Record<string, number>) => boolean,
  timeoutMs: number,
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await countStates(knex, changeId);
    if (done(counts)) return counts;
    if (Date.now() > deadline) {
      throw new Error(`timed out: ${JSON.stringify(counts)}`);
    }
    await new Promise(r => setTimeout(r, 25));
  }
}

/** Times calls of the engine's collaborators (mirror refresh, pull request call). */
const phases: Record<string, { n: number; ms: number }> = {};
async function timed<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    const p = (phases[phase] ??= { n: 0, ms: 0 });
    p.n++;
    p.ms += performance.now() - started;
  }
}

async function engine(github: Server, workDir: string) {
  const db = await openDatabase(client);
  const { knex } = db;
  await migrate(knex);
  const store = new ChangeStore(knex);
  let queries = 0;
  let counting = false;
  knex.on('query', () => {
    if (counting) queries++;
  });
  const host = new URL(github.url).host;
  const config = new ConfigReader({
    integrations: {
      github: [{ host, apiBaseUrl: github.apiBaseUrl, token: github.token }],
    },
    changes: { git: { allowedHosts: [host], allowedHttpHosts: [host] } },
  });
  const real = DefaultRepositoryAccess.fromConfig(config, {
    workDir,
    logger: quietLogger,
  });
  const access: RepositoryAccess = {
    resolve: entity => real.resolve(entity),
    freshMirror: url => timed('mirror refresh', () => real.freshMirror(url)),
    auth: url => real.auth(url),
    host: url => real.host(url),
  };
  const hostFor: typeof reviewHostFor = url => {
    const h = reviewHostFor(url);
    return {
      ...h,
      openPullRequest: (r, input) =>
        timed('pull request API call', () => h.openPullRequest(r, input)),
    };
  };
  const work = new RepositoryWork({
    access,
    hostFor,
    workDir,
    committer: { name: 'Fleetdeck', email: 'fleetdeck@example.com' },
  });
  const worker = new ChangeWorker({
    store,
    work,
    logger: quietLogger,
    author: async ref => ({
      name: ref.split('/')[1],
      email: `${ref.split('/')[1]}@bank.example`,
    }),
    slots: CONCURRENCY,
  });
  const changeId = randomUUID();
  const entityRefs = Array.from(
    { length: REPOS },
    (_, i) => `component:default/${name(i)}`,
  );
  await store.create({
    id: changeId,
    title: TITLE,
    description: DESCRIPTION,
    createdBy: 'user:default/alice',
    branch: BRANCH,
    concurrency: CONCURRENCY,
    targets: {},
    recipe,
    trusted: false,
    repositories: entityRefs.map((entityRef, i) => ({
      entityRef,
      repoUrl: `${github.url}/${OWNER}/${name(i)}.git`,
    })),
  });
  // previews (and the mirrors' first clones) before timing
  const previewStarted = performance.now();
  worker.start();
  const previewed = await until(knex, changeId, c => !c.pending, 600_000);
  const previewMs = performance.now() - previewStarted;
  if (previewed.previewed !== REPOS) {
    throw new Error(`previews: ${JSON.stringify(previewed)}`);
  }
  for (const k of Object.keys(phases)) delete phases[k];
  await github.stats();

  startProfile();
  counting = true;
  const cpuBefore = treeCpuMs();
  const started = performance.now();
  // what ChangesService.apply does, without its permission checks
  await store.transition({
    changeId,
    entityRefs,
    from: ['previewed', 'failed'],
    to: 'queued',
    appliedBy: 'user:default/alice',
  });
  worker.wake();
  const done = await until(
    knex,
    changeId,
    c => (c.pr_open ?? 0) + (c.failed ?? 0) + (c.no_change ?? 0) === REPOS,
    600_000,
  );
  const ms = performance.now() - started;
  const cpuMs = treeCpuMs() - cpuBefore;
  counting = false;
  const spawns = stopProfile();
  await worker.stop();
  if (done.pr_open !== REPOS) throw new Error(`apply: ${JSON.stringify(done)}`);
  await db.cleanup();
  return {
    ms,
    cpuMs,
    previewMs,
    spawns,
    queries,
    phases: Object.fromEntries(
      Object.entries(phases).map(([k, v]) => [
        k,
        { n: v.n, ms: Math.round(v.ms) },
      ]),
    ),
  };
}

// per repository, as someone would write it by hand
const BASELINE_SCRIPT = `set -euo pipefail
repo="$1"
dir=$(mktemp -d "$WORK/loop-XXXXXX")
trap 'rm -rf "$dir"' EXIT
git clone --quiet "$GIT_BASE/$OWNER/$repo.git" "$dir/repo"
cd "$dir/repo"
git checkout --quiet -b "$BRANCH"
node -e '
const fs = require("fs");
const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
p.dependencies.express = "4.21.2";
fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\\n");
'
sed -i -E 's/^FROM node:18([^[:space:]]*)/FROM node:20\\1/' Dockerfile
git commit --quiet --all -m "$TITLE" -m "$DESCRIPTION"
git push --quiet origin "HEAD:refs/heads/$BRANCH"
curl -sS -f -o /dev/null -X POST "$API/repos/$OWNER/$repo/pulls" \\
  -H "Authorization: token $TOKEN" -H 'Content-Type: application/json' \\
  --data "{\\"title\\":\\"$TITLE\\",\\"body\\":\\"$DESCRIPTION\\",\\"head\\":\\"$BRANCH\\",\\"base\\":\\"main\\"}"
`;

async function baseline(github: Server, workDir: string) {
  const script = join(workDir, 'one.sh');
  await writeFile(script, BASELINE_SCRIPT);
  const base = new URL(github.url);
  base.username = 'x-access-token';
  base.password = github.token;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WORK: workDir,
    GIT_BASE: base.toString().replace(/\/$/, ''),
    OWNER,
    BRANCH,
    TITLE,
    DESCRIPTION,
    API: github.apiBaseUrl,
    TOKEN: github.token,
    GIT_AUTHOR_NAME: 'alice',
    GIT_AUTHOR_EMAIL: 'alice@bank.example',
    GIT_COMMITTER_NAME: 'alice',
    GIT_COMMITTER_EMAIL: 'alice@bank.example',
    GIT_TERMINAL_PROMPT: '0',
  };
  const list = Array.from({ length: REPOS }, (_, i) => name(i)).join('\n');
  await github.stats();
  startProfile();
  const cpuBefore = treeCpuMs();
  const started = performance.now();
  await run('bash', ['-c', `xargs -P ${CONCURRENCY} -n 1 bash "$0"`, script], {
    env,
    input: `${list}\n`,
  });
  const ms = performance.now() - started;
  const cpuMs = treeCpuMs() - cpuBefore;
  const spawns = stopProfile();
  return { ms, cpuMs, spawns };
}

/** The fake GitHub's process. */
interface Server {
  url: string;
  apiBaseUrl: string;
  token: string;
  gitRoot: string;
  /** Pushes, pull requests and the server's processes and CPU since the last call. */
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

interface ServerStats {
  pushes: number;
  pulls: number;
  requests: number;
  spawns: SpawnProfile;
  cpuMs: number;
}

async function startServer(): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      join(__dirname, 'server.ts'),
      String(REPOS),
      OWNER,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const waiting: ((line: string) => void)[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', line => {
    if (line.startsWith('{')) waiting.shift()?.(line);
  });
  const exited = new Promise<void>(r => child.on('close', () => r()));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      exited.then(() => reject(new Error('the fake GitHub exited')));
    });
  const ready = JSON.parse(await next());
  return {
    ...ready,
    async stats() {
      const line = next();
      child.stdin.write('stats\n');
      return JSON.parse(await line);
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

async function main() {
  const workDir = await mkdtemp(join(tmpdir(), 'changes-apply-bench-'));
  const setupStarted = performance.now();
  const server = await startServer();
  const setupMs = performance.now() - setupStarted;
  try {
    const result =
      side === 'engine'
        ? await engine(server, workDir)
        : await baseline(server, workDir);
    // during the timed part only: the engine's previews came before
    const during = await server.stats();
    console.log(
      JSON.stringify({
        side,
        client,
        repos: REPOS,
        concurrency: CONCURRENCY,
        setupMs: Math.round(setupMs),
        ...result,
        server: during,
        tree: await pushedTree(server),
      }),
    );
  } finally {
    await server.stop();
    await rm(workDir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
