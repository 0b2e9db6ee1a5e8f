import { execFile } from 'child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { promisify } from 'util';

const exec = promisify(execFile);

/** A committed git repository in a temporary directory, as a checkout is. */
export interface TestRepo {
  /** The working tree. */
  dir: string;
  /** The temporary directory holding it, outside the checkout. */
  parent: string;
  read(path: string): Promise<string>;
  readBytes(path: string): Promise<Buffer>;
  dispose(): Promise<void>;
}

/**
 * Creates a repository with `files` (path to content) and `symlinks` (path
 * to target) committed on `main`.
 */
export async function createTestRepo(
  files: Record<string, string | Buffer>,
  symlinks: Record<string, string> = {},
): Promise<TestRepo> {
  const parent = await mkdtemp(join(tmpdir(), 'recipe-test-'));
  const dir = join(parent, 'repo');
  await mkdir(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  for (const [path, target] of Object.entries(symlinks)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await symlink(target, join(dir, path));
  }
  await git(dir, ['init', '--quiet', '--initial-branch=main']);
  await git(dir, ['add', '--all']);
  await git(dir, ['commit', '--quiet', '--message', 'initial']);
  return {
    dir,
    parent,
    read: path => readFile(join(dir, path), 'utf8'),
    readBytes: path => readFile(join(dir, path)),
    dispose: () => rm(parent, { recursive: true, force: true }),
  };
}

/** Runs git in `dir`, unaffected by the user's git config. */
export async function git(dir: string, args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@fleetdeck.example',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@fleetdeck.example',
    },
  });
  return stdout;
}
