/*
 * Code search over N mirrors vs a `git grep` loop over the same mirrors.
 *
 *   search.ts <repos> <concurrency> <repeats>
 *
 * Generates N service repositories with varied content (seeded: the same on
 * every run): TypeScript, Python or Go services of 15 to 90 files, one in
 * twenty a monorepo of ~300, with package.json / requirements / go.mod,
 * Dockerfiles on various bases, CI workflows, catalog-info.yaml, READMEs.
 * MirrorManager mirrors each (file:// clone --mirror). Then, for every
 * query of QUERIES, `repeats` times, in alternating order:
 *  - engine: CodeSearch.search over the N targets (concurrency as given);
 *  - baseline: `xargs -0 -P <concurrency>` running the same `git grep`
 *    command line (same flags, pathspecs and environment) in each mirror.
 * Prints one JSON line: { engineMs[], baselineMs[], matches, ... }.
 */
import { MirrorManager, RepositoryResolver } from '@fleetdeck/fleetdeck-node';
import { CodeSearch } from '@fleetdeck/plugin-changes-backend/src/search';
import { globPathspecs } from '@fleetdeck/plugin-changes-backend/src/search/gitGrep';
import { grepTrees } from '@fleetdeck/plugin-changes-backend/src/search/grepTrees';
import {
  searchQuerySchema,
  SearchQuery,
} from '@fleetdeck/plugin-changes-common';
import { mkdir, mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { mapLimited, quietLogger, run, treeCpuMs } from './shared';

const [reposArg = '300', concArg = '4', repeatsArg = '3'] =
  process.argv.slice(2);
const REPOS = Number(reposArg);
const CONCURRENCY = Number(concArg);
const REPEATS = Number(repeatsArg);

/** The queries: fixed strings and POSIX extended regexes, a few with file globs or -i. */
const QUERIES: SearchQuery[] = [
  { query: 'node:18' },
  { query: 'express' },
  { query: 'process.env.DATABASE_URL' },
  { query: 'TODO' },
  { query: 'lodash' },
  { query: 'apiVersion: backstage.io/v1alpha1' },
  { query: 'actions/checkout@v3' },
  { query: 'payments.internal' },
  { query: 'password', ignoreCase: true },
  { query: 'node:18', files: ['Dockerfile'] },
  { query: 'express', files: ['package.json'] },
  { query: '^FROM (node|python):[0-9.]+', regex: true },
  { query: '"express": "\\^?4\\.1[0-8]', regex: true },
  { query: 'TODO|FIXME', regex: true },
  { query: "import .* from '(axios|got)'", regex: true },
  { query: 'func [A-Z][A-Za-z]+\\(ctx', regex: true },
  { query: 'process\\.env\\.[A-Z_]+_URL', regex: true },
  { query: 'https?://[a-z.-]+\\.internal', regex: true },
  { query: 'def [a-z_]+\\(self, request', regex: true },
  { query: 'v[0-9]+\\.[0-9]+\\.[0-9]+', regex: true, files: ['*.yaml'] },
];

/** mulberry32: a small seeded generator, so every run has the same fleet. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

const WORDS = [
  'account',
  'balance',
  'ledger',
  'payment',
  'card',
  'customer',
  'invoice',
  'refund',
  'transfer',
  'limit',
  'currency',
  'rate',
  'order',
  'session',
  'token',
  'audit',
  'report',
  'batch',
  'queue',
  'event',
  'retry',
  'cache',
  'config',
  'client',
  'handler',
  'service',
  'store',
  'record',
  'status',
];
const HOSTS = ['payments', 'ledger', 'cards', 'risk', 'auth', 'notify'];
const ENVS = [
  'DATABASE_URL',
  'REDIS_URL',
  'LOG_LEVEL',
  'PORT',
  'AUTH_URL',
  'QUEUE_URL',
];
const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
const ident = (r: Rng) => `${r.pick(WORDS)}${cap(r.pick(WORDS))}`;

function tsFile(r: Rng): string {
  const lines: string[] = [];
  if (r.chance(0.3))
    lines.push(`import axios from '${r.pick(['axios', 'got'])}';`);
  if (r.chance(0.2)) lines.push("import _ from 'lodash';");
  if (r.chance(0.3)) lines.push("import express from 'express';");
  lines.push(`import { ${ident(r)} } from './${r.pick(WORDS)}';`, '');
  for (let f = r.int(2, 9); f > 0; f--) {
    const name = ident(r);
    lines.push(`export async function ${name}(${r.pick(WORDS)}: string) {`);
    for (let l = r.int(3, 14); l > 0; l--) {
      const x = r.next();
      if (x < 0.04) lines.push(`  // TODO: ${r.pick(WORDS)} ${r.pick(WORDS)}`);
      else if (x < 0.06) lines.push(`  // FIXME ${r.pick(WORDS)}`);
      else if (x < 0.1)
        lines.push(`  const url = process.env.${r.pick(ENVS)};`);
      else if (x < 0.13)
        lines.push(
          `  await fetch('https://${r.pick(HOSTS)}.internal/v1/${r.pick(
            WORDS,
          )}');`,
        );
      else if (x < 0.16)
        lines.push(`  console.log('${r.pick(WORDS)}', ${r.pick(WORDS)});`);
      else
        lines.push(
          `  const ${ident(r)} = await ${ident(r)}(${r.pick(WORDS)}, ${r.int(
            0,
            999,
          )});`,
        );
    }
    lines.push('}', '');
  }
  return `${lines.join('\n')}\n`;
}

function pyFile(r: Rng): string {
  const lines = ['import os', 'import logging', ''];
  for (let c = r.int(1, 4); c > 0; c--) {
    lines.push(`class ${cap(r.pick(WORDS))}${cap(r.pick(WORDS))}View:`);
    for (let f = r.int(1, 5); f > 0; f--) {
      lines.push(
        `    def ${r.pick(WORDS)}_${r.pick(WORDS)}(self, request${
          r.chance(0.5) ? ', pk' : ''
        }):`,
      );
      for (let l = r.int(2, 10); l > 0; l--) {
        const x = r.next();
        if (x < 0.05) lines.push(`        # TODO ${r.pick(WORDS)}`);
        else if (x < 0.1)
          lines.push(`        url = os.environ["${r.pick(ENVS)}"]`);
        else
          lines.push(
            `        ${r.pick(WORDS)} = self.${r.pick(WORDS)}_${r.pick(
              WORDS,
            )}(${r.int(0, 99)})`,
          );
      }
      lines.push('');
    }
  }
  return `${lines.join('\n')}\n`;
}

function goFile(r: Rng): string {
  const lines = [
    `package ${r.pick(WORDS)}`,
    '',
    'import (',
    '\t"context"',
    '\t"os"',
    ')',
    '',
  ];
  for (let f = r.int(2, 8); f > 0; f--) {
    lines.push(`func ${cap(ident(r))}(ctx context.Context, id string) error {`);
    for (let l = r.int(2, 12); l > 0; l--) {
      const x = r.next();
      if (x < 0.05) lines.push(`\t// TODO: ${r.pick(WORDS)}`);
      else if (x < 0.1) lines.push(`\t_ = os.Getenv("${r.pick(ENVS)}")`);
      else
        lines.push(
          `\t${r.pick(WORDS)} := ${cap(ident(r))}(ctx, "${r.pick(
            WORDS,
          )}-${r.int(0, 99)}")`,
        );
    }
    lines.push('\treturn nil', '}', '');
  }
  return `${lines.join('\n')}\n`;
}

/** One repository's files: path to content. */
function repository(i: number): Record<string, string> {
  const r = rng(i + 1);
  const lang = r.pick(['ts', 'ts', 'ts', 'py', 'go']);
  const mono = r.chance(0.05);
  const count = mono ? r.int(250, 350) : r.int(15, 90);
  const name = `svc-${i}`;
  const files: Record<string, string> = {
    'README.md': `# ${name}\n\nOwned by team ${r.pick(
      HOSTS,
    )}. See https://${r.pick(HOSTS)}.internal/docs.\n`,
    'catalog-info.yaml': `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\n  annotations:\n    fleetdeck.io/version: v${r.int(
      1,
      3,
    )}.${r.int(0, 20)}.${r.int(
      0,
      9,
    )}\nspec:\n  type: service\n  owner: group:default/${r.pick(HOSTS)}\n`,
    '.github/workflows/ci.yaml': `name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v${r.int(
      2,
      4,
    )}\n      - run: make test\n`,
  };
  const nodeVersion = r.pick(['16', '18', '18', '20', '22']);
  if (lang === 'ts') {
    const deps: Record<string, string> = {
      express: `^4.${r.int(16, 21)}.${r.int(0, 3)}`,
      zod: '3.22.0',
    };
    if (r.chance(0.4)) deps.lodash = '4.17.21';
    if (r.chance(0.5)) deps.axios = `1.${r.int(3, 7)}.0`;
    files['package.json'] = `${JSON.stringify(
      { name, version: '1.0.0', dependencies: deps },
      null,
      2,
    )}\n`;
    files.Dockerfile = `FROM node:${nodeVersion}-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nFROM node:${nodeVersion}-alpine\nCOPY --from=build /app/dist /app\nCMD ["node", "/app/index.js"]\n`;
  } else if (lang === 'py') {
    files['requirements.txt'] = `django==4.${r.int(
      0,
      2,
    )}\npsycopg2==2.9.${r.int(1, 9)}\nrequests==2.31.0\n`;
    files.Dockerfile = `FROM python:3.${r.int(
      8,
      12,
    )}-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["gunicorn", "app.wsgi"]\n`;
  } else {
    files['go.mod'] = `module example.com/${name}\n\ngo 1.${r.int(19, 22)}\n`;
    files.Dockerfile = `FROM golang:1.${r.int(
      19,
      22,
    )} AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM gcr.io/distroless/base\nCOPY --from=build /app /app\n`;
  }
  for (let f = 0; f < count; f++) {
    const dir = mono ? `packages/${r.pick(WORDS)}/src` : 'src';
    if (lang === 'ts') files[`${dir}/${r.pick(WORDS)}-${f}.ts`] = tsFile(r);
    else if (lang === 'py') files[`app/${r.pick(WORDS)}_${f}.py`] = pyFile(r);
    else
      files[`internal/${r.pick(WORDS)}/${r.pick(WORDS)}_${f}.go`] = goFile(r);
  }
  return files;
}

const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** The same git grep gitGrep runs, in every mirror through xargs -P. */
async function baselineSearch(
  mirrorDirs: string[],
  q: ReturnType<typeof searchQuerySchema.parse>,
): Promise<{ ms: number; matches: number }> {
  const started = performance.now();
  const { stdout } = await run(
    'xargs',
    [
      '-0',
      '-P',
      String(CONCURRENCY),
      '-I{}',
      'git',
      '--git-dir={}',
      'grep',
      '-I',
      '-n',
      '--full-name',
      '-z',
      '--no-color',
      q.regex ? '-E' : '-F',
      ...(q.ignoreCase ? ['-i'] : []),
      '-e',
      q.query,
      'HEAD',
      '--',
      ...globPathspecs(q.files),
    ],
    {
      input: `${mirrorDirs.join('\0')}\0`,
      // xargs answers 123 when a git grep found nothing (exit 1)
      okCodes: [123],
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        LC_ALL: 'C',
      },
    },
  );
  const ms = performance.now() - started;
  let matches = 0;
  for (const byte of stdout) if (byte === 0x0a) matches++;
  return { ms, matches };
}

async function main() {
  // CHANGES_BENCH_KEEP=<dir>: generate there and keep it (to experiment by hand)
  const keep = process.env.CHANGES_BENCH_KEEP;
  const root = keep ?? (await mkdtemp(join(tmpdir(), 'changes-search-bench-')));
  try {
    const sources = join(root, 'src');
    const setupStarted = performance.now();
    let bytes = 0;
    let fileCount = 0;
    await mapLimited(
      Array.from({ length: REPOS }, (_, i) => i),
      8,
      async i => {
        const dir = join(sources, `svc-${String(i).padStart(3, '0')}`);
        for (const [path, content] of Object.entries(repository(i))) {
          await mkdir(dirname(join(dir, path)), { recursive: true });
          await writeFile(join(dir, path), content);
          bytes += content.length;
          fileCount++;
        }
        await run('git', ['init', '--quiet', '--initial-branch=main'], {
          cwd: dir,
          env: GIT_ENV,
        });
        await run('git', ['add', '--all'], { cwd: dir, env: GIT_ENV });
        await run('git', ['commit', '--quiet', '-m', 'Initial commit'], {
          cwd: dir,
          env: GIT_ENV,
        });
      },
    );
    const generateMs = performance.now() - setupStarted;
    const resolver = new RepositoryResolver({
      allowedHosts: [],
      allowedRoots: [sources],
    });
    const mirrors = new MirrorManager({
      cacheDir: join(root, 'mirrors'),
      logger: quietLogger,
    });
    const targets = Array.from({ length: REPOS }, (_, i) => {
      const name = `svc-${String(i).padStart(3, '0')}`;
      return {
        entityRef: `component:default/${name}`,
        repository: resolver.resolveValue(join(sources, name)),
      };
    });
    const mirrorStarted = performance.now();
    await mapLimited(targets, 8, t => mirrors.refresh(t.repository));
    const mirrorMs = performance.now() - mirrorStarted;
    const mirrorDirs = targets.map(t => mirrors.dir(t.repository));
    const search = new CodeSearch({
      mirrors,
      logger: quietLogger,
      concurrency: CONCURRENCY,
    });
    const queries = QUERIES.map(q => searchQuerySchema.parse(q));

    const engineSearch = async (q: (typeof queries)[number]) => {
      const started = performance.now();
      const response = await search.search(q, targets);
      const ms = performance.now() - started;
      if (response.failed.length) {
        throw new Error(`search failed: ${response.failed[0].message}`);
      }
      const matches = response.results.reduce(
        (n, r) => n + r.matches.length,
        0,
      );
      const truncated = response.results.filter(r => r.truncated).length;
      return { ms, matches, truncated };
    };

    /**
     * Diagnosis, not a figure the goals read: the engine's greps alone
     * (grepTrees over the mirrors' head commits, read beforehand), without
     * the head lookups and result shaping around them.
     */
    const heads = await Promise.all(
      targets.map(async t => ({
        gitDir: mirrors.dir(t.repository),
        commit: (await mirrors.head(t.repository)).commit,
      })),
    );
    const grepOnly = async (q: (typeof queries)[number]) => {
      const started = performance.now();
      await grepTrees(heads, {
        query: q.query,
        regex: q.regex,
        ignoreCase: q.ignoreCase,
        files: q.files,
        concurrency: CONCURRENCY,
        maxMatches: 100,
        timeoutMs: 30_000,
      });
      return performance.now() - started;
    };

    // warm the page cache for both, once
    await engineSearch(queries[0]);
    await baselineSearch(mirrorDirs, queries[0]);

    const grepOnlyMs: number[] = [];
    for (const q of queries) grepOnlyMs.push(await grepOnly(q));
    const engineMs: number[] = [];
    const baselineMs: number[] = [];
    let engineCpu = 0;
    let baselineCpu = 0;
    const perQuery: {
      query: string;
      matches: number;
      grepMatches: number;
      truncatedRepos: number;
    }[] = [];
    for (let round = 0; round < REPEATS; round++) {
      for (const [k, q] of queries.entries()) {
        const engineFirst = (round + k) % 2 === 0;
        let e = { ms: 0, matches: 0, truncated: 0 };
        let b = { ms: 0, matches: 0 };
        for (const which of engineFirst ? [0, 1] : [1, 0]) {
          const cpu = treeCpuMs();
          if (which === 0) {
            e = await engineSearch(q);
            engineCpu += treeCpuMs() - cpu;
          } else {
            b = await baselineSearch(mirrorDirs, q);
            baselineCpu += treeCpuMs() - cpu;
          }
        }
        engineMs.push(e.ms);
        baselineMs.push(b.ms);
        if (round === 0) {
          perQuery.push({
            query: `${q.regex ? 're' : 'fixed'}${q.ignoreCase ? ' -i' : ''} ${
              q.query
            }${q.files ? ` in ${q.files.join(',')}` : ''}`,
            matches: e.matches,
            grepMatches: b.matches,
            truncatedRepos: e.truncated,
          });
        }
      }
    }
    console.log(
      JSON.stringify({
        repos: REPOS,
        concurrency: CONCURRENCY,
        repeats: REPEATS,
        files: fileCount,
        megabytes: Math.round(bytes / 1024 / 102.4) / 10,
        generateMs: Math.round(generateMs),
        mirrorMs: Math.round(mirrorMs),
        engineMs,
        baselineMs,
        grepOnlyMs,
        rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
        engineCpuMs: engineCpu,
        baselineCpuMs: baselineCpu,
        perQuery,
      }),
    );
  } finally {
    if (!keep) await rm(root, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
