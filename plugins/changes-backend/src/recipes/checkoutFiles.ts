import { constants } from 'fs';
import { lstat, open, realpath } from 'fs/promises';
import { braceExpand, Minimatch } from 'minimatch';
import { join, sep } from 'path';
import { trackedFiles } from './checkoutGit';
import { RecipeError } from './RecipeError';

/** A file a step selected: its text, or why it was left alone. */
export type FileText = { text: string } | { reason: string };

/** Bytes git looks at to call a file binary. */
const BINARY_SNIFF_BYTES = 8000;

/**
 * Refuses a glob that could name a path outside the checkout. The recipe
 * schema refuses these already; this holds even for a recipe that did not
 * come through it, and for braces that expand to `..`.
 */
export function assertGlobInside(step: number, glob: string): void {
  for (const expanded of braceExpand(glob)) {
    const segments = expanded.split(/[\\/]/);
    if (expanded.startsWith('/') || segments.includes('..')) {
      throw new RecipeError(
        `step ${step}: the glob "${glob}" points outside the checkout; writes outside the checkout are refused`,
      );
    }
  }
}

/** The tracked files that match any of `globs`, in git's order. */
export async function selectFiles(
  root: string,
  globs: string[],
): Promise<string[]> {
  const matchers = globs.map(g => new Minimatch(g, { dot: true }));
  const tracked = await trackedFiles(root);
  return tracked.filter(path => matchers.some(m => m.match(path)));
}

/**
 * Reads a selected file as UTF-8 text. Symlinks, non-regular files, large,
 * binary and non-UTF-8 files are left alone with a reason; a path that
 * resolves outside the checkout is refused.
 */
export async function readFileText(
  root: string,
  path: string,
  maxBytes: number,
  step: number,
): Promise<FileText> {
  const absolute = join(root, path);
  const info = await lstat(absolute).catch(() => undefined);
  if (!info) return { reason: 'deleted in the working tree' };
  if (info.isSymbolicLink()) return { reason: 'symlink' };
  if (!info.isFile()) return { reason: 'not a regular file' };
  const real = await realpath(absolute);
  if (!real.startsWith(root + sep)) {
    throw new RecipeError(
      `step ${step}: ${path} resolves to ${real}; writes outside the checkout are refused`,
    );
  }
  if (info.size > maxBytes) {
    return {
      reason: `too large: ${formatBytes(
        info.size,
      )}, over the limit of ${formatBytes(maxBytes)}`,
    };
  }
  // O_NOFOLLOW: a symlink swapped in after the checks above is not followed.
  const file = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  const bytes = await file.readFile().finally(() => file.close());
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    return { reason: 'binary' };
  }
  const text = bytes.toString('utf8');
  // Writing back must not alter bytes outside the edit, which a lossy
  // decode of invalid UTF-8 would.
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    return { reason: 'not valid UTF-8' };
  }
  return { text };
}

/** Overwrites a file read with {@link readFileText}, never through a symlink. */
export async function writeFileText(
  root: string,
  path: string,
  text: string,
): Promise<void> {
  const file = await open(
    join(root, path),
    constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW,
  );
  await file.writeFile(text, 'utf8').finally(() => file.close());
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
