import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** The author and committer of the commits tests make. */
export const TEST_GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Ada',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
};

/**
 * Runs git in `dir` and returns its trimmed output, committing as
 * {@link TEST_GIT_IDENTITY}. Synchronous: never use it against a fake
 * server running in the same process (it would wait on itself).
 */
export function gitSync(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...TEST_GIT_IDENTITY },
  }).trim();
}

/** How many git processes {@link countGitProcesses} saw. */
export interface GitProcessCount {
  /** Processes started. */
  started: number;
  /** The most running at one time (a process killed is counted as running). */
  most: number;
}

/**
 * Runs `fn` with a git first on the PATH that logs when each git process
 * starts and ends before running the real one, and counts them: how a test
 * proves how many processes some work took, and how many ran at once.
 */
export async function countGitProcesses<T>(
  fn: () => Promise<T>,
): Promise<[T, GitProcessCount]> {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], {
    encoding: 'utf8',
  }).trim();
  const bin = mkdtempSync(join(tmpdir(), 'counting-git-'));
  const log = join(bin, 'log');
  writeFileSync(log, '');
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh\necho + >> '${log}'\n'${realGit}' "$@"\nstatus=$?\necho - >> '${log}'\nexit $status\n`,
    { mode: 0o755 },
  );
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  try {
    const result = await fn();
    const count = { started: 0, most: 0 };
    let running = 0;
    for (const event of readFileSync(log, 'utf8').split('\n')) {
      if (event === '+') {
        count.started++;
        count.most = Math.max(count.most, ++running);
      } else if (event === '-') {
        running--;
      }
    }
    return [result, count];
  } finally {
    process.env.PATH = path;
    rmSync(bin, { recursive: true, force: true });
  }
}
