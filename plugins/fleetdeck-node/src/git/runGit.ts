import { ProgramResult, runProgram } from '../process/runProgram';
import { Redactor } from '../redaction';
import { GitAuth, gitAuthRedactor } from './GitAuth';
import { classifyGitFailure, GitCommandError } from './GitCommandError';
import { gitEnvironment } from './gitEnvironment';
import { GitProtocol } from './protocols';

/** Options for {@link runGit}. */
export interface RunGitOptions {
  cwd?: string;
  /** Credentials, sent only to URLs under their scope and redacted from all output. */
  auth?: GitAuth;
  /** Author and committer of commits this command makes. */
  author?: { name: string; email: string };
  /** Transports allowed; {@link DEFAULT_GIT_PROTOCOLS} if unset. */
  protocols?: readonly GitProtocol[];
  signal?: AbortSignal;
  /** 120 seconds if unset. */
  timeoutMs?: number;
}

/** What a git command printed, credentials redacted. */
export interface GitOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs the git CLI with an argument array (never through a shell), with
 * credentials passed through the environment and redacted from its output
 * and errors, and only the allowed transports (so a remote cannot smuggle in
 * `ext::` commands). Fails with a {@link GitCommandError}. The system git is
 * used because it speaks every transport Fleetdeck needs: HTTPS, SSH, `file`.
 */
export async function runGit(
  args: string[],
  options: RunGitOptions = {},
): Promise<GitOutput> {
  const redactor = gitAuthRedactor(options.auth);
  const { env, cleanup } = await gitEnvironment(options);
  try {
    return await spawnGit(args, env, options, redactor);
  } finally {
    await cleanup();
  }
}

async function spawnGit(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: RunGitOptions,
  redactor: Redactor,
): Promise<GitOutput> {
  let result: ProgramResult;
  try {
    result = await runProgram('git', args, {
      cwd: options.cwd,
      env,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? 120_000,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new GitCommandError(
      `git ${args[0]} could not run: ${redactor.redact(message)}`,
      'other',
      '',
    );
  }
  const stdout = redactor.redact(result.stdout.toString('utf8'));
  const stderr = redactor.redact(result.stderr.toString('utf8'));
  if (result.code === 0) return { stdout, stderr };
  const output = `${stderr}\n${stdout}`.trim();
  const why = result.signal
    ? `was stopped (${result.signal})`
    : `exited with ${result.code}`;
  throw new GitCommandError(
    `git ${args[0]} ${why}: ${output}`,
    classifyGitFailure(output),
    output,
    result.code,
  );
}
