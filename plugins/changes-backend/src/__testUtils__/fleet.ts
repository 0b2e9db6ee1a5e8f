import { FakeGitHubServer } from '@fleetdeck/backend-test-utils';
import { ProgramResult, runProgram } from '@fleetdeck/fleetdeck-node';
import { mkdtemp, readFile, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';

/** The groups owning the generated services, a third each. */
export const TEAMS = ['team-a', 'team-b', 'team-c'];

/** Members of the groups, for the backend's userInfo. */
export const MEMBERSHIPS: Record<string, string[]> = {
  'user:default/alice': ['group:default/team-a'],
  'user:default/outsider': ['group:default/team-b'],
};

/** One generated service: its catalog entity and its repository on the fake. */
export interface FleetService {
  name: string;
  /** The GitHub organisation, named after the owning team. */
  org: string;
  owner: string;
  entityRef: string;
}

/** A small seeded PRNG (mulberry32), so a failing run can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from(
    { length: Math.min(limit, items.length) },
    async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    },
  );
  await Promise.all(lanes);
  return results;
}

/** The services of a fleet of `count`. */
export function fleetServices(count: number): FleetService[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `svc-${String(i).padStart(3, '0')}`;
    const org = TEAMS[i % TEAMS.length];
    return {
      name,
      org,
      owner: `group:default/${org}`,
      entityRef: `component:default/${name}`,
    };
  });
}

const EXTRA_DEPENDENCIES: Record<string, string>[] = [
  { zod: '3.22.0' },
  { pino: '8.15.0', zod: '3.22.4' },
  { 'body-parser': '1.20.2', cors: '2.8.5' },
  {},
];

/**
 * The files of service `i`: a package.json with express 4.18.2 among other
 * dependencies (pretty-printed, 2 spaces) and a Dockerfile on node:18-alpine,
 * varied a little (multi-stage builds, a comment and docs naming node:18
 * that the recipe leaves alone, a binary file that search skips).
 */
export function serviceFiles(i: number, name: string): Record<string, string> {
  const pkg: Record<string, unknown> = {
    name: `@bank/${name}`,
    version: `1.${i % 7}.0`,
    private: true,
    scripts: { start: 'node index.js' },
    dependencies: Object.fromEntries(
      Object.entries({
        ...EXTRA_DEPENDENCIES[i % EXTRA_DEPENDENCIES.length],
        express: '4.18.2',
      }).sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
  };
  if (i % 5 === 0) pkg.devDependencies = { jest: '29.7.0' };
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'index.js': `require('express')().listen(${3000 + (i % 100)});\n`,
    'README.md': `# ${name}\n\nOwned by ${TEAMS[i % TEAMS.length]}.\n`,
  };
  switch (i % 4) {
    case 0:
      files.Dockerfile =
        'FROM node:18-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD ["node", "index.js"]\n';
      break;
    case 1:
      files.Dockerfile =
        'FROM node:18-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\n\nFROM node:18-alpine\nCOPY --from=build /app /app\nCMD ["node", "/app/index.js"]\n';
      break;
    case 2:
      files.Dockerfile = `# the runtime (node:18 until the platform moves)\nFROM node:18-alpine\nENV PORT=${
        3000 + i
      }\nCOPY . /srv\nCMD ["node", "/srv/index.js"]\n`;
      files['docs/runtime.md'] =
        '# Runtime\n\nThe image is based on `node:18-alpine`.\n\nUpgrade path: node:18 then node:20.\n';
      break;
    default:
      files.Dockerfile = `FROM node:18-alpine\nLABEL service="${name}"\nCOPY . .\nCMD ["npm", "start"]\n`;
  }
  if (i % 10 === 3) {
    // a binary file that contains the search string: git grep -I skips it
    files['assets/blob.bin'] = `\u0000\u0001node:18\u0000binary\u0002`;
  }
  return files;
}

/** A fast-import stream committing `files` as the initial commit of `main`. */
function initialCommit(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const data = (text: string | Buffer) => {
    const bytes = Buffer.from(text);
    parts.push(Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n'));
  };
  parts.push(
    Buffer.from(
      'commit refs/heads/main\ncommitter Fake Forge <forge@fleetdeck.example> 1700000000 +0000\n',
    ),
  );
  data('Initial commit\n');
  for (const [path, content] of Object.entries(files)) {
    parts.push(Buffer.from(`M 100644 inline ${path}\n`));
    data(content);
  }
  return Buffer.concat(parts);
}

/**
 * Creates the fleet's repositories on the fake GitHub. The fake registers
 * each (an empty bare repository); one shell then commits every
 * repository's files with `git fast-import`, which spares this (large) test
 * process hundreds of forks.
 */
export async function createFleet(
  github: FakeGitHubServer,
  services: FleetService[],
): Promise<void> {
  await mapLimited(services, 4, s =>
    github.createRepository(s.org, s.name, {}),
  );
  const work = await mkdtemp(join(tmpdir(), 'fleet-import-'));
  try {
    const lines: string[] = [];
    await Promise.all(
      services.map(async (s, i) => {
        const stream = join(work, `${s.name}.stream`);
        await writeFile(stream, initialCommit(serviceFiles(i, s.name)));
        lines.push(`${github.gitDir(`${s.org}/${s.name}`)}\t${stream}`);
      }),
    );
    await writeFile(join(work, 'list'), `${lines.join('\n')}\n`);
    await shell(
      'while IFS=$\'\\t\' read -r dir stream; do git --git-dir="$dir" fast-import --quiet < "$stream" || exit 1; done < "$1"',
      [join(work, 'list')],
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The catalog file: the groups, two users, and one Component per service. */
export function catalogYaml(
  github: FakeGitHubServer,
  services: FleetService[],
): string {
  const docs = TEAMS.map(
    t =>
      `apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: ${t}\nspec:\n  type: team\n  children: []\n`,
  );
  for (const [ref, groups] of Object.entries(MEMBERSHIPS)) {
    docs.push(
      `apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ${
        ref.split('/')[1]
      }\nspec:\n  memberOf: [${groups.map(g => g.split('/')[1]).join(', ')}]\n`,
    );
  }
  for (const s of services) {
    docs.push(
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        `  name: ${s.name}`,
        '  annotations:',
        `    fleetdeck.io/git-repo: ${github.url}/${s.org}/${s.name}.git`,
        'spec:',
        '  type: service',
        '  lifecycle: production',
        `  owner: ${s.owner}`,
        '',
      ].join('\n'),
    );
  }
  return docs.join('---\n');
}

const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};

function succeeded(what: string, result: ProgramResult): string {
  if (result.code !== 0) {
    throw new Error(
      `${what} failed (${result.signal ?? result.code}): ${result.stderr}`,
    );
  }
  return result.stdout.toString('utf8');
}

// Both run asynchronously, as the fake server they talk to is in this
// process, and from runProgram's launcher: thousands of them from a large
// Jest worker would cost a fork of the worker each.

/** Runs a bash script. */
async function shell(script: string, args: string[], env = {}) {
  succeeded(
    'bash script',
    await runProgram('bash', ['-c', script, 'bash', ...args], {
      env: { ...GIT_ENV, ...env },
    }),
  );
}

/** Runs git. */
async function git(args: string[], cwd?: string): Promise<string> {
  return succeeded(
    `git ${args.join(' ')}`,
    await runProgram('git', args, { cwd, env: GIT_ENV }),
  );
}

// For one repository: a fresh clone, the change's edit by hand with sed
// (express 4.18.2 → 4.21.2; every line `FROM node:18…` on node:20) and
// `git diff` of it; and `git grep -n -I -F <query> HEAD` in the bare repository.
const BY_HAND = `
set -e
name="$1"; gitdir="$2"; dir="$OUT/$name"
git clone --quiet "$gitdir" "$dir"
cd "$dir"
sed -i 's/"express": "4\\.18\\.2"/"express": "4.21.2"/' package.json
sed -i 's/^FROM node:18/FROM node:20/' Dockerfile
git diff > "$OUT/$name.diff"
cd "$OUT"
rm -rf "$dir"
git --git-dir="$gitdir" grep -n -I -F -e "$QUERY" HEAD > "$OUT/$name.grep" || [ $? = 1 ]
`;

/** What the edit by hand and git grep give in one repository. */
export interface ByHand {
  /** `git diff` after the edit by hand in a fresh clone. */
  diff: string;
  /** `git grep -n -I -F <query> HEAD`, as lines. */
  grep: GrepLine[];
}

/**
 * The change's edit made by hand in a fresh clone of each repository, and a
 * plain `git grep` for `query`, `parallel` repositories at a time (by xargs,
 * so that this large test process forks once).
 */
export async function byHand(
  github: FakeGitHubServer,
  services: FleetService[],
  query: string,
  parallel = 2,
): Promise<Map<string, ByHand>> {
  const out = await mkdtemp(join(tmpdir(), 'by-hand-'));
  try {
    await writeFile(
      join(out, 'list'),
      services
        .map(s => `${s.name} ${github.gitDir(`${s.org}/${s.name}`)}\n`)
        .join(''),
    );
    await shell(
      `xargs -P ${parallel} -n 2 bash -c "$1" by-hand < "$OUT/list"`,
      [BY_HAND],
      { OUT: out, QUERY: query },
    );
    const results = new Map<string, ByHand>();
    for (const s of services) {
      results.set(s.name, {
        diff: await readFile(join(out, `${s.name}.diff`), 'utf8'),
        grep: parseGrep(await readFile(join(out, `${s.name}.grep`), 'utf8')),
      });
    }
    return results;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** One line `git grep` found. */
export interface GrepLine {
  path: string;
  line: number;
  text: string;
}

function parseGrep(out: string): GrepLine[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map(l => {
      // HEAD:<path>:<line>:<text> (no generated path holds a colon)
      const m = /^HEAD:([^:]+):(\d+):(.*)$/.exec(l);
      if (!m) throw new Error(`Unexpected git grep output: ${l}`);
      return { path: m[1], line: Number(m[2]), text: m[3] };
    });
}

/** `git` in a bare repository of the fake, trimmed. */
export async function gitIn(gitDir: string, args: string[]): Promise<string> {
  return (await git([`--git-dir=${gitDir}`, ...args])).trim();
}
