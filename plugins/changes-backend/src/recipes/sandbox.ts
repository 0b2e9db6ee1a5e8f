import { constants } from 'fs';
import { access } from 'fs/promises';
import { delimiter, join } from 'path';
import { RecipeError } from './RecipeError';

/** HOME inside the sandbox: on its fresh /tmp, gone when the command ends. */
export const SANDBOX_HOME = '/tmp/home';

/** PATH for the sandboxed command and for finding bwrap. */
export function commandPath(): string {
  return process.env.PATH || '/usr/local/bin:/usr/bin:/bin';
}

/**
 * The bubblewrap binary. Commands never run without the sandbox: when bwrap
 * is missing this throws, naming the package to install.
 */
export async function findBubblewrap(step: number): Promise<string> {
  for (const dir of commandPath().split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'bwrap');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new RecipeError(
    `step ${step}: command steps run in a bubblewrap sandbox, but bwrap is not installed (Debian package bubblewrap)`,
  );
}

/**
 * bwrap arguments that run `argv` with the whole file system read-only
 * except the checkout (its .git stays read-only too, so a command cannot
 * plant hooks or config for the git commands that follow), a fresh /tmp
 * holding HOME, no network, no capabilities, and its own process and IPC
 * namespaces. The sandbox dies with the backend.
 */
export function sandboxArgs(root: string, argv: string[]): string[] {
  // prettier-ignore
  return [
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    '--dir', SANDBOX_HOME,
    '--bind', root, root,
    '--ro-bind-try', join(root, '.git'), join(root, '.git'),
    '--unshare-all',
    '--cap-drop', 'ALL',
    '--die-with-parent',
    '--new-session',
    '--chdir', root,
    '--',
    ...argv,
  ];
}
