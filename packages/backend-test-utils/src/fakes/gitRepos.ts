import { execFile } from 'child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { promisify } from 'util';

const exec = promisify(execFile);

/** Who the fakes' own commits (initial commits, merges) are by. */
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Fake Forge',
  GIT_AUTHOR_EMAIL: 'forge@fleetdeck.example',
  GIT_COMMITTER_NAME: 'Fake Forge',
  GIT_COMMITTER_EMAIL: 'forge@fleetdeck.example',
};

/** Runs git in a bare repository, unaffected by the user's git config. */
export async function gitIn(
  gitDir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const { stdout } = await exec('git', ['--git-dir', gitDir, ...args], {
    env: {
      ...process.env,
      ...IDENTITY,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      ...env,
    },
  });
  return stdout.trim();
}

/** The commit `ref` names, or undefined when there is none. */
export async function resolveRef(
  gitDir: string,
  ref: string,
): Promise<string | undefined> {
  try {
    return await gitIn(gitDir, [
      'rev-parse',
      '--verify',
      '--quiet',
      `${ref}^{commit}`,
    ]);
  } catch {
    return undefined;
  }
}

/** Whether `ancestor` is reachable from `descendant`. */
export async function isAncestor(
  gitDir: string,
  ancestor: string,
  descendant: string,
): Promise<boolean> {
  try {
    await gitIn(gitDir, ['merge-base', '--is-ancestor', ancestor, descendant]);
    return true;
  } catch {
    return false;
  }
}

/** The branch HEAD points at. */
export function defaultBranchOf(gitDir: string): Promise<string> {
  return gitIn(gitDir, ['symbolic-ref', '--short', 'HEAD']);
}

/**
 * Commits `files` (path to content) on top of `branch` (created from HEAD
 * when missing), without a checkout; returns the new commit.
 */
export async function commitFiles(
  gitDir: string,
  branch: string,
  files: Record<string, string>,
  message: string,
): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'fake-forge-commit-'));
  try {
    const env = { GIT_INDEX_FILE: join(work, '.index') };
    const tree = join(work, 'tree');
    const tip = await resolveRef(gitDir, `refs/heads/${branch}`);
    // A new branch starts from the default branch, as one made in a clone.
    const parent = tip ?? (await resolveRef(gitDir, 'HEAD'));
    if (parent) await gitIn(gitDir, ['read-tree', parent], env);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(tree, path)), { recursive: true });
      await writeFile(join(tree, path), content);
    }
    const paths = Object.keys(files);
    await gitIn(gitDir, ['--work-tree', tree, 'add', '--', ...paths], env);
    const treeSha = await gitIn(gitDir, ['write-tree'], env);
    const parents = parent ? ['-p', parent] : [];
    const sha = await gitIn(gitDir, [
      'commit-tree',
      treeSha,
      ...parents,
      '-m',
      message,
    ]);
    await gitIn(gitDir, ['update-ref', `refs/heads/${branch}`, sha, tip ?? '']);
    return sha;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Creates a bare repository whose `defaultBranch` holds `files` (if any). */
export async function createBareRepository(
  gitDir: string,
  files: Record<string, string>,
  defaultBranch = 'main',
): Promise<void> {
  await mkdir(gitDir, { recursive: true });
  await gitIn(gitDir, [
    'init',
    '--bare',
    '--quiet',
    `--initial-branch=${defaultBranch}`,
  ]);
  if (Object.keys(files).length > 0) {
    await commitFiles(gitDir, defaultBranch, files, 'Initial commit');
  }
}

/**
 * Merges `head` into `base` as a merge button does (a merge commit, no
 * checkout); throws when they conflict. Returns the merge commit.
 */
export async function mergeBranches(
  gitDir: string,
  base: string,
  head: string,
  message: string,
): Promise<string> {
  const baseSha = await resolveRef(gitDir, `refs/heads/${base}`);
  const headSha = await resolveRef(gitDir, `refs/heads/${head}`);
  if (!baseSha || !headSha) {
    throw new Error(`Cannot merge ${head} into ${base}: branch missing`);
  }
  let tree: string;
  try {
    tree = (
      await gitIn(gitDir, ['merge-tree', '--write-tree', baseSha, headSha])
    ).split('\n')[0];
  } catch {
    throw new Error(`Cannot merge ${head} into ${base}: conflicts`);
  }
  const sha = await gitIn(gitDir, [
    'commit-tree',
    tree,
    '-p',
    baseSha,
    '-p',
    headSha,
    '-m',
    message,
  ]);
  await gitIn(gitDir, ['update-ref', `refs/heads/${base}`, sha, baseSha]);
  return sha;
}
