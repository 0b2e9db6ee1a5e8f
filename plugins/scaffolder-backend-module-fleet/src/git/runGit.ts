import { spawn } from 'child_process';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';

/** Credentials for one git server, sent only to URLs under `scope`. */
export interface GitAuth {
  /** Base URL the credentials belong to. */
  scope: string;
  username?: string;
  token?: string;
  sshPrivateKey?: string;
  sshKnownHosts?: string;
}

/** Why a git command failed, as far as its output tells. */
export type GitFailure =
  | 'rejected'
  | 'unreachable'
  | 'unauthorized'
  | 'not-found'
  | 'other';

/** A failed git command, with its (redacted) output. */
export class GitCommandError extends Error {
  readonly name = 'GitCommandError';
  constructor(
    message: string,
    readonly failure: GitFailure,
    readonly output: string,
  ) {
    super(message);
  }
}

/** Options for {@link runGit}. */
export interface RunGitOptions {
  cwd?: string;
  auth?: GitAuth;
  /** Author and committer of commits this command makes. */
  author?: { name: string; email: string };
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The strings that must never leave this module in clear: token, its basic-auth form, the key. */
export function secretsOf(auth?: GitAuth): string[] {
  if (!auth) return [];
  const secrets: string[] = [];
  if (auth.token) {
    secrets.push(auth.token, basicAuth(auth));
  }
  if (auth.sshPrivateKey) {
    secrets.push(
      ...auth.sshPrivateKey
        .split('\n')
        .map(l => l.trim())
        .filter(l => l.length > 8 && !l.startsWith('-----')),
    );
  }
  return secrets;
}

/** Replaces every secret of `auth` in `text` with `***`. */
export function redact(text: string, auth?: GitAuth): string {
  return secretsOf(auth).reduce(
    (out, secret) => out.split(secret).join('***'),
    text,
  );
}

function basicAuth(auth: GitAuth) {
  return Buffer.from(
    `${auth.username ?? 'x-access-token'}:${auth.token}`,
  ).toString('base64');
}

function classify(output: string): GitFailure {
  if (
    /\[remote rejected\]|hook declined|! \[rejected\]|non-fast-forward|fetch first|protected branch/i.test(
      output,
    )
  ) {
    return 'rejected';
  }
  if (
    /Authentication failed|returned error: 40[13]|Permission denied|could not read Username|invalid credentials/i.test(
      output,
    )
  ) {
    return 'unauthorized';
  }
  if (
    /does not appear to be a git repository|not found|returned error: 404|couldn't find remote ref/i.test(
      output,
    )
  ) {
    return 'not-found';
  }
  if (
    /Could not resolve host|Connection refused|Failed to connect|Couldn't connect|timed out|unable to access|Could not read from remote repository|Network is unreachable/i.test(
      output,
    )
  ) {
    return 'unreachable';
  }
  return 'other';
}

/**
 * Runs the git CLI with credentials passed through the environment, never in
 * a URL or an argument (so they do not show in `ps`, in git's messages or in
 * remote-tracking config), and with their values redacted from any output.
 * The system git is used rather than isomorphic-git because it speaks every
 * transport Fleetdeck needs: HTTPS, SSH and `file://`.
 */
export async function runGit(
  args: string[],
  options: RunGitOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const { auth, author } = options;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    // Nothing but these transports: no `ext::` remotes running commands.
    GIT_ALLOW_PROTOCOL: 'file:http:https:ssh:git',
    LC_ALL: 'C',
  };
  const config: Array<[string, string]> = [
    ['credential.helper', ''],
    ['init.defaultBranch', 'main'],
    ['commit.gpgSign', 'false'],
  ];
  let keyDir: string | undefined;
  const ssh = ['ssh', '-o BatchMode=yes', '-o IdentitiesOnly=yes'];
  if (auth?.token) {
    config.push([
      `http.${auth.scope}/.extraHeader`,
      `Authorization: Basic ${basicAuth(auth)}`,
    ]);
  }
  if (auth?.sshPrivateKey) {
    keyDir = await mkdtemp(join(tmpdir(), 'fleetdeck-ssh-'));
    const keyFile = join(keyDir, 'id');
    await writeFile(keyFile, `${auth.sshPrivateKey.trim()}\n`, { mode: 0o600 });
    ssh.push(`-i '${keyFile}'`);
    if (auth.sshKnownHosts) {
      await writeFile(join(keyDir, 'known_hosts'), auth.sshKnownHosts);
      ssh.push('-o StrictHostKeyChecking=yes');
    } else {
      ssh.push('-o StrictHostKeyChecking=accept-new');
    }
    ssh.push(`-o UserKnownHostsFile='${join(keyDir, 'known_hosts')}'`);
  }
  env.GIT_SSH_COMMAND = ssh.join(' ');
  env.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  if (author) {
    env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = author.name;
    env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = author.email;
  }

  try {
    return await new Promise((resolvePromise, reject) => {
      const child = spawn('git', args, {
        cwd: options.cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        signal: options.signal,
        timeout: options.timeoutMs ?? 120_000,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', d => out.push(d));
      child.stderr.on('data', d => err.push(d));
      child.on('error', e =>
        reject(
          new GitCommandError(
            `git ${args[0]} could not run: ${redact(e.message, auth)}`,
            'other',
            '',
          ),
        ),
      );
      child.on('close', (code, signal) => {
        const stdout = redact(Buffer.concat(out).toString('utf8'), auth);
        const stderr = redact(Buffer.concat(err).toString('utf8'), auth);
        if (code === 0) {
          resolvePromise({ stdout, stderr });
          return;
        }
        const output = `${stderr}\n${stdout}`.trim();
        const why = signal ? `was stopped (${signal})` : `exited with ${code}`;
        reject(
          new GitCommandError(
            `git ${args[0]} ${why}: ${output}`,
            classify(output),
            output,
          ),
        );
      });
    });
  } finally {
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  }
}
