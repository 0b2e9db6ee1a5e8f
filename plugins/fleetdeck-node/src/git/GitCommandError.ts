/** Why a git command failed, as far as its output tells. */
export type GitFailure =
  | 'rejected'
  | 'unreachable'
  | 'unauthorized'
  | 'not-found'
  | 'other';

/** A git command that failed or could not run, with its output (credentials redacted). */
export class GitCommandError extends Error {
  readonly name = 'GitCommandError';
  constructor(
    message: string,
    /** What the output says went wrong. */
    readonly failure: GitFailure,
    /** stderr then stdout, credentials redacted. */
    readonly output: string,
    /** The exit code; null when git was stopped by a signal or never ran. */
    readonly exitCode: number | null = null,
  ) {
    super(message);
  }
}

const FAILURES: Array<[Exclude<GitFailure, 'other'>, RegExp]> = [
  [
    'rejected',
    /\[remote rejected\]|hook declined|! \[rejected\]|non-fast-forward|fetch first|protected branch/i,
  ],
  [
    'unauthorized',
    /Authentication failed|returned error: 40[13]|Permission denied|could not read Username|invalid credentials/i,
  ],
  [
    'not-found',
    /does not appear to be a git repository|not found|returned error: 404|couldn't find remote ref/i,
  ],
  [
    'unreachable',
    /Could not resolve host|Connection refused|Failed to connect|Couldn't connect|timed out|unable to access|Could not read from remote repository|Network is unreachable/i,
  ],
];

/** Classifies git's output; the first matching kind wins, in the order above. */
export function classifyGitFailure(output: string): GitFailure {
  return FAILURES.find(([, pattern]) => pattern.test(output))?.[0] ?? 'other';
}
