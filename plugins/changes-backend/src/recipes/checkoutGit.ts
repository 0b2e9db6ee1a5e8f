import { runProgram } from '@fleetdeck/fleetdeck-node';
import { realpath } from 'fs/promises';
import { RecipeError } from './RecipeError';

/**
 * Runs git in the checkout with an argument array (no shell) and an
 * environment of our own, so that neither the backend's GIT_* variables nor
 * the user's or system's git config steer it; fsmonitor is off because it
 * would run a program named in the repository's config.
 */
async function git(dir: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runProgram(
    'git',
    ['-c', 'core.fsmonitor=false', '-c', 'core.quotePath=false', ...args],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        LANG: 'C.UTF-8',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
      },
    },
  );
  if (code !== 0) {
    throw new Error(`git ${args[0]} failed: ${stderr.toString('utf8').trim()}`);
  }
  return stdout.toString('utf8');
}

/** The real path of `dir`, which must be the top of a git working tree. */
export async function checkoutRoot(dir: string): Promise<string> {
  const root = await realpath(dir);
  let top: string;
  try {
    top = (await git(root, ['rev-parse', '--show-toplevel'])).trim();
  } catch (e) {
    throw new RecipeError(`${dir} is not a git working tree`, e);
  }
  if ((await realpath(top)) !== root) {
    throw new RecipeError(`${dir} is not the top of its git working tree`);
  }
  return root;
}

/** The paths git tracks in the checkout, relative to its root. */
export async function trackedFiles(root: string): Promise<string[]> {
  const out = await git(root, ['ls-files', '-z']);
  return out.split('\0').filter(Boolean);
}

/**
 * The paths that differ from HEAD (changed, added, deleted, untracked but
 * not ignored), whoever changed them, sorted.
 */
export async function changedFiles(root: string): Promise<string[]> {
  const out = await git(root, [
    'status',
    '--porcelain',
    '-z',
    '--untracked-files=all',
    '--no-renames',
  ]);
  const paths = new Set<string>();
  for (const entry of out.split('\0')) {
    // Each entry is "XY path"; without renames there is no second path.
    if (entry.length > 3) paths.add(entry.slice(3));
  }
  return [...paths].sort();
}
