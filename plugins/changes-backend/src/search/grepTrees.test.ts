import { countGitProcesses, gitSync } from '@fleetdeck/backend-test-utils';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { grepTrees, GrepTree } from './grepTrees';

const root = mkdtempSync(join(tmpdir(), 'fleetdeck-grep-trees-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const git = gitSync;

/** A bare repository holding one commit of `files`; the tree to search. */
function tree(name: string, files: Record<string, string>): GrepTree {
  const work = join(root, `${name}-work`);
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  for (const [path, content] of Object.entries(files)) {
    writeFileSync(join(work, path), content);
  }
  git(work, 'add', '--all');
  git(work, 'commit', '--quiet', '-m', name);
  const gitDir = join(root, `${name}.git`);
  git(root, 'clone', '--quiet', '--bare', work, gitDir);
  return { gitDir, commit: git(gitDir, 'rev-parse', 'HEAD') };
}

const lines = (n: number, text: string) =>
  Array.from({ length: n }, (_, i) => `${i} ${text}\n`).join('');

/** `fn`'s result and the number of git processes it started. */
async function countingGit<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const [result, count] = await countGitProcesses(fn);
  return [result, count.started];
}

describe('grepTrees', () => {
  const query = { query: 'needle', regex: false, ignoreCase: false };
  const small = tree('small', { 'a.txt': lines(3, 'needle') });
  // past the limit by far more than is worth reading: its process is stopped
  const flood = tree('flood', { 'b.txt': lines(7_000, 'needle') });
  const after = tree('after', {
    'c.txt': `${lines(2, 'needle')}hay\n`,
    'd.txt': lines(1, 'needle'),
  });
  const none = tree('none', { 'e.txt': 'hay\n' });

  it('stops a process at a tree flooding matches, and carries on after it', async () => {
    const [outcomes, processes] = await countingGit(() =>
      grepTrees([small, flood, after, none], {
        ...query,
        concurrency: 1,
        maxMatches: 5,
        timeoutMs: 30_000,
      }),
    );
    expect(outcomes).toEqual([
      {
        ok: true,
        matches: [0, 1, 2].map(n => ({
          path: 'a.txt',
          line: n + 1,
          text: `${n} needle`,
        })),
        truncated: false,
      },
      {
        ok: true,
        matches: [0, 1, 2, 3, 4].map(n => ({
          path: 'b.txt',
          line: n + 1,
          text: `${n} needle`,
        })),
        truncated: true,
      },
      {
        ok: true,
        matches: [
          { path: 'c.txt', line: 1, text: '0 needle' },
          { path: 'c.txt', line: 2, text: '1 needle' },
          { path: 'd.txt', line: 1, text: '0 needle' },
        ],
        truncated: false,
      },
      { ok: true, matches: [], truncated: false },
    ]);
    // one process to the flood, one for the two trees after it
    expect(processes).toBe(2);
  });

  it('reads a few matches past the limit rather than start a process', async () => {
    const [outcomes, processes] = await countingGit(() =>
      grepTrees([small, after, none], {
        ...query,
        concurrency: 1,
        maxMatches: 1,
        timeoutMs: 30_000,
      }),
    );
    expect(outcomes.map(o => o.ok && [o.matches.length, o.truncated])).toEqual([
      [1, true],
      [1, true],
      [0, false],
    ]);
    expect(processes).toBe(1);
  });

  it('searches a commit shared by two repositories once, for both', async () => {
    const copy = join(root, 'copy.git');
    git(root, 'clone', '--quiet', '--bare', small.gitDir, copy);
    const [outcomes, processes] = await countingGit(() =>
      grepTrees([small, { gitDir: copy, commit: small.commit }, after], {
        ...query,
        concurrency: 4,
        maxMatches: 100,
        timeoutMs: 30_000,
      }),
    );
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[0]).toMatchObject({ ok: true, truncated: false });
    expect(processes).toBe(2);
  });

  it('reads alternates whose path holds a colon or a quote', async () => {
    const colon = tree('odd:name', { 'f.txt': 'needle\n' });
    const quote = tree('"quoted\\', { 'f.txt': 'needle\n' });
    const [outcomes, processes] = await countingGit(() =>
      grepTrees([small, colon, quote], {
        ...query,
        concurrency: 1,
        maxMatches: 100,
        timeoutMs: 30_000,
      }),
    );
    // one process: had git misread a path, the batch would have failed
    // and each tree been searched alone
    expect(processes).toBe(1);
    expect(outcomes[2]).toEqual(outcomes[1]);
    expect(outcomes[1]).toEqual({
      ok: true,
      matches: [{ path: 'f.txt', line: 1, text: 'needle' }],
      truncated: false,
    });
  });
});
