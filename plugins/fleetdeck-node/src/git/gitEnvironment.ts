import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { GitAuth, gitAuthConfig } from './GitAuth';
import { DEFAULT_GIT_PROTOCOLS, GitProtocol } from './protocols';

/** What shapes the environment of one git invocation. */
export interface GitEnvironmentOptions {
  auth?: GitAuth;
  author?: { name: string; email: string };
  protocols?: readonly GitProtocol[];
}

/**
 * The environment git runs with: no prompts, no system config or credential
 * helpers, only the allowed transports, credentials through `GIT_CONFIG_*`
 * and a temporary key file. `cleanup` removes the key file.
 */
export async function gitEnvironment(
  options: GitEnvironmentOptions,
): Promise<{ env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }> {
  const { auth, author } = options;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ALLOW_PROTOCOL: (options.protocols ?? DEFAULT_GIT_PROTOCOLS).join(':'),
    GIT_PROTOCOL_FROM_USER: '0',
    LC_ALL: 'C',
  };
  const config: Array<[string, string]> = [
    ['credential.helper', ''],
    ['init.defaultBranch', 'main'],
    ['commit.gpgSign', 'false'],
    ...gitAuthConfig(auth),
  ];
  env.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  if (author) {
    env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = author.name;
    env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = author.email;
  }
  const ssh = ['ssh', '-o BatchMode=yes', '-o IdentitiesOnly=yes'];
  let keyDir: string | undefined;
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
  const dir = keyDir;
  return {
    env,
    cleanup: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
