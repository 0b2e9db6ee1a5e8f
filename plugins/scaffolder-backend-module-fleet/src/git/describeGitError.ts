import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { GitCommandError } from '@fleetdeck/fleetdeck-node';

/** Keeps the lines of git's output a person needs to see: the remote's own words and errors. */
function essentials(output: string): string {
  const lines = output
    .split('\n')
    .map(l => l.trim())
    .filter(l => /^(remote:|error:|fatal:|!|\s*\[)/.test(l) && l !== 'remote:');
  return (lines.length ? lines : output.split('\n').slice(-3)).join(' | ');
}

/**
 * Turns a failed git command into an error a template user understands,
 * typed so that callers (and the task log) can tell the cases apart.
 */
export function describeGitError(error: unknown, remoteUrl: string): Error {
  if (!(error instanceof GitCommandError)) {
    return error as Error;
  }
  const detail = essentials(error.output);
  switch (error.failure) {
    case 'rejected':
      return new ConflictError(
        `The git remote ${remoteUrl} rejected the push; nothing was written there. Git said: ${detail}`,
      );
    case 'unauthorized':
      return new NotAllowedError(
        `The git server refused the credentials configured for ${remoteUrl} (fleetdeck.git.servers). Git said: ${detail}`,
      );
    case 'not-found':
      return new NotFoundError(
        `The git repository ${remoteUrl} does not exist or cannot be read. Git said: ${detail}`,
      );
    case 'unreachable':
      return new ServiceUnavailableError(
        `Could not reach the git remote ${remoteUrl}. Git said: ${detail}`,
      );
    default:
      return new Error(`Git failed for ${remoteUrl}: ${detail}`);
  }
}
