import { runGit } from '@fleetdeck/fleetdeck-node';
import { mkdtemp, rm } from 'fs/promises';
import { join } from 'path';

/** Largest diff kept for a preview; a bigger one is cut with a note. */
export const MAX_DIFF_BYTES = 1024 * 1024;

/** A throwaway working tree of a repository's default branch. */
export interface Checkout {
  dir: string;
  defaultBranch: string;
  baseSha: string;
  dispose(): Promise<void>;
}

/**
 * Clones the default branch of a bare mirror into a temporary directory,
 * sharing the mirror's objects (no copy): fast enough to do for every
 * repository of a change.
 */
export async function checkoutFromMirror(
  mirrorDir: string,
  root: string,
): Promise<Checkout> {
  const { stdout } = await runGit(['symbolic-ref', '--short', 'HEAD'], {
    cwd: mirrorDir,
  });
  const defaultBranch = stdout.trim();
  const parent = await mkdtemp(join(root, 'checkout-'));
  const dir = join(parent, 'repo');
  const dispose = () => rm(parent, { recursive: true, force: true });
  try {
    await runGit([
      'clone',
      '--shared',
      '--quiet',
      '--no-tags',
      '--branch',
      defaultBranch,
      '--',
      mirrorDir,
      dir,
    ]);
    const head = await runGit(['rev-parse', 'HEAD'], { cwd: dir });
    return { dir, defaultBranch, baseSha: head.stdout.trim(), dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** The files changed in a working tree with their line counts, and the diff as `git diff` prints it. */
export async function stageAndDiff(dir: string): Promise<{
  diff: string;
  files: { path: string; added: number; removed: number }[];
}> {
  await runGit(['add', '--all'], { cwd: dir });
  const numstat = await runGit(
    ['diff', '--cached', '--no-ext-diff', '--no-renames', '--numstat', '-z'],
    { cwd: dir },
  );
  const files = numstat.stdout
    .split('\0')
    .filter(Boolean)
    .map(entry => {
      const [added, removed, path] = entry.split('\t');
      return {
        path,
        added: added === '-' ? 0 : Number(added),
        removed: removed === '-' ? 0 : Number(removed),
      };
    });
  if (!files.length) return { diff: '', files };
  const { stdout } = await runGit(
    ['diff', '--cached', '--no-ext-diff', '--no-color', '--no-renames'],
    { cwd: dir },
  );
  return { diff: capDiff(stdout), files };
}

function capDiff(diff: string): string {
  if (Buffer.byteLength(diff) <= MAX_DIFF_BYTES) return diff;
  const cut = Buffer.from(diff).subarray(0, MAX_DIFF_BYTES).toString();
  return `${cut.slice(
    0,
    cut.lastIndexOf('\n') + 1,
  )}[diff cut at ${MAX_DIFF_BYTES} bytes]\n`;
}
