import { mockServices } from '@backstage/backend-test-utils';
import {
  MirrorManager,
  Repository,
  RepositoryResolver,
} from '@fleetdeck/fleetdeck-node';
import { countGitProcesses, gitSync } from '@fleetdeck/backend-test-utils';
import { SearchResponse } from '@fleetdeck/plugin-changes-common';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { CodeSearch, ParsedSearchQuery, SearchTarget } from './CodeSearch';

const COUNT = 30;
const HOSTILE = [
  '--output=OUT/written',
  '$(touch OUT/pwned)',
  '-O/bin/sh',
  '-Otouch OUT/paged',
];

const root = mkdtempSync(join(tmpdir(), 'fleetdeck-search-'));
const out = join(root, 'out');
mkdirSync(out);
const hostile = HOSTILE.map(q => q.replace('OUT', out));

const git = gitSync;

/** A repository under the root with one commit of `files` on `branch`. */
function sourceRepo(
  name: string,
  files: Record<string, string | Buffer>,
  branch = 'main',
): string {
  const dir = join(root, 'src', name);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', `--initial-branch=${branch}`);
  commit(dir, files, 'first');
  return dir;
}

function commit(
  dir: string,
  files: Record<string, string | Buffer>,
  m: string,
) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', m);
}

/** Varied service repositories: Dockerfiles on node 18, 20 and 22, and the odd cases. */
function contentOf(i: number): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {
    Dockerfile: [
      'FROM node:18-alpine\nRUN npm ci\nCMD ["node", "server.js"]\n',
      'FROM node:20\nRUN npm ci\n',
      'FROM Node:18 AS build\nFROM node:22-slim\n',
    ][i % 3],
    'package.json': `{\n  "name": "svc-${i}",\n  "engines": { "node": ">=18" }${
      i % 4 === 0 ? ',\n  "image": "node:18"' : ''
    }\n}\n`,
  };
  if (i % 5 === 0) files['services/api/Dockerfile'] = 'FROM node:18 AS api\n';
  if (i % 6 === 0) {
    files['assets/logo.bin'] = Buffer.from([
      0,
      1,
      2,
      ...Buffer.from('node:18'),
      0,
    ]);
  }
  if (i % 7 === 0) files['docs/notes: node 18.md'] = 'We build on node:18.\n';
  if (i === 7) {
    files['big.txt'] = Array.from({ length: 150 }, (_, n) => `${n} node:18`)
      .join('\n')
      .concat('\n');
  }
  if (i === 17) files['hostile.txt'] = `${hostile.join('\n')}\n`;
  if (i === 19) return { Dockerfile: 'FROM python:3.12\n' };
  return files;
}

const names = Array.from(
  { length: COUNT },
  (_, i) => `svc-${String(i).padStart(2, '0')}`,
);
const resolver = new RepositoryResolver({
  allowedHosts: [],
  allowedRoots: [root],
});
const mirrors = new MirrorManager({
  cacheDir: join(root, 'mirrors'),
  logger: mockServices.logger.mock(),
});
let repos: Repository[];
let targets: SearchTarget[];

beforeAll(async () => {
  names.forEach((name, i) => {
    const dir = sourceRepo(name, contentOf(i), i === 12 ? 'trunk' : 'main');
    if (i === 13) {
      git(dir, 'checkout', '--quiet', '-b', 'feature');
      commit(dir, { 'feature.txt': 'node:18 only here\n' }, 'feature');
      git(dir, 'checkout', '--quiet', 'main');
    }
  });
  repos = names.map(name => resolver.resolveValue(join('src', name)));
  await Promise.all(repos.map(repo => mirrors.ensure(repo)));
  targets = repos.map((repository, i) => ({
    entityRef: `component:default/${names[i]}`,
    repository,
  }));
});

const query = (q: Partial<ParsedSearchQuery>): ParsedSearchQuery => ({
  query: 'node:18',
  regex: false,
  ignoreCase: false,
  ...q,
});

/** What plain `git grep -n -I <flags> HEAD` prints in each mirror, by entity. */
function reference(...flags: string[]): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  repos.forEach((repo, i) => {
    let stdout = '';
    try {
      stdout = git(mirrors.dir(repo), 'grep', '-n', '-I', ...flags, 'HEAD');
    } catch (e) {
      if ((e as { status?: number }).status !== 1) throw e;
    }
    const lines = stdout.split('\n').filter(Boolean);
    if (lines.length) expected.set(targets[i].entityRef, lines);
  });
  return expected;
}

/** Our results printed as git grep prints them. */
function printed(response: SearchResponse): Map<string, string[]> {
  return new Map(
    response.results.map(r => [
      r.entityRef,
      r.matches.map(m => `HEAD:${m.path}:${m.line}:${m.text}`),
    ]),
  );
}

const all = new CodeSearch({
  mirrors,
  logger: mockServices.logger.mock(),
  maxMatchesPerRepo: 1000,
});

describe('CodeSearch', () => {
  it('finds exactly what git grep finds on each default branch', async () => {
    const response = await all.search(query({}), targets);
    const expected = reference('-F', 'node:18');
    expect(printed(response)).toEqual(expected);
    expect(response.searched).toBe(COUNT);
    expect(response.failed).toEqual([]);

    const refs = response.results.map(r => r.entityRef);
    expect(refs).toEqual([...refs].sort());
    const paths = response.results.flatMap(r => r.matches.map(m => m.path));
    // the odd cases are there, or the comparison above proves little
    expect(paths).toContain('docs/notes: node 18.md');
    expect(paths).toContain('services/api/Dockerfile');
    expect(paths.some(p => p.endsWith('.bin'))).toBe(false);
    expect(paths).not.toContain('feature.txt');
    expect(refs).toContain('component:default/svc-12');
    expect(refs).not.toContain('component:default/svc-19');
    const trunk = response.results.find(r => r.entityRef.endsWith('svc-12'));
    expect(trunk?.repository.defaultBranch).toBe('trunk');
  });

  it('searches regular expressions and ignores case when asked', async () => {
    const regex = await all.search(
      query({ query: 'FROM node:(18|22)(-[a-z]+)?$', regex: true }),
      targets,
    );
    expect(printed(regex)).toEqual(
      reference('-E', 'FROM node:(18|22)(-[a-z]+)?$'),
    );
    expect(regex.results.length).toBeGreaterThan(0);

    const folded = await all.search(query({ ignoreCase: true }), targets);
    expect(printed(folded)).toEqual(reference('-i', '-F', 'node:18'));
    const caseSensitive = await all.search(query({}), targets);
    expect(folded.results.length).toBeGreaterThan(caseSensitive.results.length);
  });

  it('searches only files matching the globs', async () => {
    const dockerfiles = await all.search(
      query({ files: ['Dockerfile'] }),
      targets,
    );
    const isDockerfile = /^HEAD:(?:[^:]*\/)?Dockerfile:\d+:/;
    const expected = new Map(
      [...reference('-F', 'node:18')]
        .map(([ref, lines]): [string, string[]] => [
          ref,
          lines.filter(l => isDockerfile.test(l)),
        ])
        .filter(([, lines]) => lines.length > 0),
    );
    expect(printed(dockerfiles)).toEqual(expected);
    const paths = dockerfiles.results.flatMap(r => r.matches.map(m => m.path));
    expect(paths).toContain('services/api/Dockerfile');

    const rooted = await all.search(
      query({ files: ['/Dockerfile', '*.md'] }),
      targets,
    );
    expect(
      new Set(rooted.results.flatMap(r => r.matches.map(m => m.path))),
    ).toEqual(new Set(['Dockerfile', 'docs/notes: node 18.md']));
  });

  it('keeps at most maxMatchesPerRepo matches per repository, saying so', async () => {
    const limited = new CodeSearch({
      mirrors,
      logger: mockServices.logger.mock(),
    });
    const response = await limited.search(query({}), targets);
    const big = response.results.find(r => r.entityRef.endsWith('svc-07'))!;
    expect(big.truncated).toBe(true);
    expect(response.results.filter(r => r.truncated)).toEqual([big]);
    // the repositories after the cut one, in the same git process, are whole
    const cut = new Map(
      [...reference('-F', 'node:18')].map(([ref, lines]) => [
        ref,
        lines.slice(0, 100),
      ]),
    );
    expect(printed(response)).toEqual(cut);

    const one = await new CodeSearch({
      mirrors,
      logger: mockServices.logger.mock(),
      maxMatchesPerRepo: 1,
    }).search(query({}), targets);
    for (const r of one.results) {
      expect(r.matches).toHaveLength(1);
    }
    expect(one.results.filter(r => !r.truncated).length).toBeGreaterThan(0);
  });

  it('searches a hostile query literally: no option taken, nothing run', async () => {
    for (const q of hostile) {
      const response = await all.search(query({ query: q }), targets);
      expect(response.failed).toEqual([]);
      expect(response.results).toEqual([
        expect.objectContaining({
          entityRef: 'component:default/svc-17',
          matches: [
            { path: 'hostile.txt', line: hostile.indexOf(q) + 1, text: q },
          ],
        }),
      ]);
    }
    const globbed = await all.search(
      query({ files: [`--output=${out}/glob`, '-O/bin/sh'] }),
      targets,
    );
    expect(globbed.results).toEqual([]);
    expect(globbed.failed).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
  });

  it('reports repositories without a usable mirror in failed, and searches the rest', async () => {
    const unmirrored = resolver.resolveValue(
      sourceRepo('never-mirrored', { Dockerfile: 'FROM node:18\n' }),
    );
    const broken = resolver.resolveValue(
      sourceRepo('broken', { Dockerfile: 'FROM node:18\n' }),
    );
    mkdirSync(mirrors.dir(broken), { recursive: true });
    const response = await all.search(query({}), [
      { entityRef: 'component:default/never-mirrored', repository: unmirrored },
      { entityRef: 'component:default/broken', repository: broken },
      targets[0],
    ]);
    expect(response.failed).toEqual([
      {
        entityRef: 'component:default/broken',
        message: expect.stringMatching(/^Search failed: /),
      },
      {
        entityRef: 'component:default/never-mirrored',
        message: 'The repository never-mirrored has not been mirrored yet',
      },
    ]);
    expect(response.failed[0].message).not.toContain(mirrors.dir(broken));
    expect(response.searched).toBe(1);
    expect(response.results.map(r => r.entityRef)).toEqual([
      targets[0].entityRef,
    ]);
  });

  it('fails a repository whose grep outlives the timeout', async () => {
    // a git that hangs, first on the PATH: a real grep may beat any timeout
    const bin = mkdtempSync(join(tmpdir(), 'slow-git-'));
    writeFileSync(join(bin, 'git'), '#!/bin/sh\nexec sleep 10\n', {
      mode: 0o755,
    });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const started = Date.now();
      const response = await new CodeSearch({
        mirrors,
        logger: mockServices.logger.mock(),
        perRepoTimeoutMs: 300,
      }).search(query({}), [targets[7]]);
      expect(response.failed).toEqual([
        {
          entityRef: targets[7].entityRef,
          message: 'Search failed: git grep did not finish within 300 ms',
        },
      ]);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('sees a new commit on the default branch once the mirror is refreshed', async () => {
    const dir = sourceRepo('late', { Dockerfile: 'FROM node:20\n' });
    const late = resolver.resolveValue(dir);
    await mirrors.ensure(late);
    const target = { entityRef: 'component:default/late', repository: late };
    const q = query({ query: 'node:18-slim' });
    expect((await all.search(q, [target])).results).toEqual([]);

    commit(dir, { 'ci/Dockerfile': 'FROM node:18-slim\n' }, 'ci image');
    expect((await all.search(q, [target])).results).toEqual([]);
    await mirrors.refresh(late);
    const response = await all.search(q, [target]);
    expect(response.results[0].matches).toEqual([
      {
        path: 'ci/Dockerfile',
        line: 1,
        text: 'FROM node:18-slim',
        url: undefined,
      },
    ]);
  });

  it('links each line on GitHub and GitLab, and shares a repository between entities', async () => {
    const github: SearchTarget = {
      entityRef: 'component:default/svc-00',
      title: 'Service 0',
      repository: {
        ...repos[0],
        webUrl: 'https://github.com/acme/svc-00',
        github: { host: 'github.com', owner: 'acme', repo: 'svc-00' },
      },
    };
    const docs = { ...github, entityRef: 'component:default/svc-00-docs' };
    const gitlab: SearchTarget = {
      entityRef: 'component:default/svc-12',
      repository: {
        ...repos[12],
        webUrl: 'https://gitlab.example/bank/svc-12',
        gitlab: true,
      },
    };
    const response = await all.search(query({ files: ['/Dockerfile'] }), [
      github,
      docs,
      gitlab,
    ]);
    expect(response.searched).toBe(3);
    expect(response.results.map(r => [r.entityRef, r.matches[0].url])).toEqual([
      [
        'component:default/svc-00',
        'https://github.com/acme/svc-00/blob/main/Dockerfile#L1',
      ],
      [
        'component:default/svc-00-docs',
        'https://github.com/acme/svc-00/blob/main/Dockerfile#L1',
      ],
      [
        'component:default/svc-12',
        'https://gitlab.example/bank/svc-12/-/blob/trunk/Dockerfile#L1',
      ],
    ]);
    expect(response.results[0]).toMatchObject({
      title: 'Service 0',
      repository: {
        webUrl: 'https://github.com/acme/svc-00',
        defaultBranch: 'main',
      },
    });
  });

  it('greps many mirrors in one git process, at most `concurrency` at once', async () => {
    const expected = reference('-F', 'node:18');
    const [response, processes] = await countGitProcesses(() =>
      new CodeSearch({
        mirrors,
        logger: mockServices.logger.mock(),
        concurrency: 3,
        maxMatchesPerRepo: 1000,
      }).search(query({}), targets),
    );
    expect(printed(response)).toEqual(expected);
    expect(processes.started).toBe(3);
    expect(processes.most).toBeLessThanOrEqual(3);
  });

  it('fails a damaged mirror alone; the rest of its git process is searched', async () => {
    const damaged = resolver.resolveValue(
      sourceRepo('damaged', { Dockerfile: 'FROM node:18\n' }),
    );
    await mirrors.ensure(damaged);
    // its refs still name the commit, whose objects are gone
    rmSync(join(mirrors.dir(damaged), 'objects'), { recursive: true });
    mkdirSync(join(mirrors.dir(damaged), 'objects', 'pack'), {
      recursive: true,
    });
    const response = await new CodeSearch({
      mirrors,
      logger: mockServices.logger.mock(),
      concurrency: 1,
      maxMatchesPerRepo: 1000,
    }).search(query({}), [
      ...targets.slice(0, 10),
      { entityRef: 'component:default/damaged', repository: damaged },
      ...targets.slice(10),
    ]);
    expect(response.failed).toEqual([
      {
        entityRef: 'component:default/damaged',
        message: expect.stringMatching(/^Search failed: git grep failed: /),
      },
    ]);
    expect(response.failed[0].message).not.toContain(root);
    expect(response.searched).toBe(COUNT);
    expect(printed(response)).toEqual(reference('-F', 'node:18'));
  });
});
