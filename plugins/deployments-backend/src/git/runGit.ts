import { spawn } from 'child_process';

/** Options for one git invocation. */
export interface RunGitOptions {
  cwd?: string;
  /** Extra environment, e.g. GIT_CONFIG_* entries carrying credentials. */
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A git command that exited non-zero. */
export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed (exit ${exitCode}): ${stderr.trim()}`);
    this.name = 'GitCommandError';
  }
}

/**
 * Runs git with an argument array (never through a shell) and returns its
 * stdout. Only the https, ssh, git and file transports are allowed, so a
 * repository URL cannot smuggle in `ext::` commands.
 */
export function runGit(args: string[], options: RunGitOptions = {}) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: {
        ...process.env,
        ...options.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_ALLOW_PROTOCOL: 'https:ssh:git:file',
        GIT_PROTOCOL_FROM_USER: '0',
        LC_ALL: 'C',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      timeout: options.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', code => {
      if (code === 0) {
        resolve(Buffer.concat(out).toString('utf8'));
      } else {
        reject(
          new GitCommandError(args, code, Buffer.concat(err).toString('utf8')),
        );
      }
    });
  });
}
