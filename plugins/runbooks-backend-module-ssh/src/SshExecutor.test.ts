import { RunbookExecutorContext } from '@fleetdeck/plugin-runbooks-node';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { connect, createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { SshExecutor } from './SshExecutor';

jest.setTimeout(60_000);

const SSHD = '/usr/sbin/sshd';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise(r => server.close(r));
  return port;
}

/**
 * A real sshd on a loopback port, with a host key and a client key made for
 * this test. sshd runs as root (as CI does); it is given its own config, so
 * the machine's sshd settings do not matter.
 */
describe('SshExecutor against a real sshd', () => {
  let dir: string;
  let sshd: ChildProcess;
  let port: number;
  let fingerprint: string;
  let privateKey: string;
  const lines: string[] = [];

  beforeAll(async () => {
    if (!existsSync(SSHD))
      throw new Error(`${SSHD} is missing: apt-get install openssh-server`);
    dir = mkdtempSync(join(tmpdir(), 'sshd-test-'));
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-f',
      join(dir, 'host_key'),
    ]);
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-f',
      join(dir, 'client_key'),
    ]);
    writeFileSync(
      join(dir, 'authorized_keys'),
      readFileSync(join(dir, 'client_key.pub')),
    );
    fingerprint = execFileSync('ssh-keygen', [
      '-l',
      '-f',
      join(dir, 'host_key.pub'),
    ])
      .toString()
      .split(' ')[1];
    privateKey = readFileSync(join(dir, 'client_key'), 'utf8');
    mkdirSync('/run/sshd', { recursive: true });
    port = await freePort();
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'Subsystem sftp internal-sftp',
      ].join('\n'),
    );
    sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
      stdio: 'ignore',
    });
    const listening = (p: number) =>
      new Promise<boolean>(resolve => {
        const socket = connect(p, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    for (let i = 0; i < 100; i++) {
      if (await listening(port)) return;
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error('sshd did not start');
  });
  afterAll(() => {
    sshd?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const executor = (
    extra: Partial<ConstructorParameters<typeof SshExecutor>[0]> = {},
  ) =>
    new SshExecutor({
      user: 'root',
      port,
      privateKey,
      hostKeyFingerprints: [fingerprint],
      ...extra,
    });

  const ctx = (
    input: Record<string, unknown>,
    extra: Partial<RunbookExecutorContext> = {},
  ) => {
    lines.length = 0;
    return {
      input,
      dryRun: false,
      target: {
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name: 'c' },
        spec: { nodes: ['127.0.0.1', 'localhost'] },
      },
      signal: new AbortController().signal,
      logger: {
        info: (l: string) => lines.push(l),
        warn: (l: string) => lines.push(l),
        error: (l: string) => lines.push(l),
      },
      ...extra,
    } as unknown as RunbookExecutorContext;
  };

  it('runs the command on every node with per-node results, arguments quoted', async () => {
    const marker = join(dir, 'pwned');
    const result = await executor().execute(
      ctx({ command: ['echo', `hello; touch ${marker}`, '$(id -u)'] }),
    );
    expect(lines).toEqual([
      `[127.0.0.1] hello; touch ${marker} $(id -u)`,
      `[localhost] hello; touch ${marker} $(id -u)`,
    ]);
    expect(existsSync(marker)).toBe(false);
    expect(result!.output).toMatchObject({
      nodes: { '127.0.0.1': { exitCode: 0 }, localhost: { exitCode: 0 } },
    });
  });

  it('fails with the exit code of the node that failed', async () => {
    await expect(
      executor().execute(
        ctx({ command: ['sh', '-c', 'echo oops >&2; exit 3'] }),
      ),
    ).rejects.toThrow('Failed on 127.0.0.1 (exit 3), localhost (not run)');
    expect(lines).toContain('[127.0.0.1] oops');
  });

  it('refuses an unknown host key', async () => {
    await expect(
      executor({
        hostKeyFingerprints: [
          'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        ],
      }).execute(ctx({ command: ['true'], nodes: ['127.0.0.1'] })),
    ).rejects.toThrow(/Failed on 127.0.0.1/);
    expect(lines.join('\n')).toMatch(/host key SHA256:.* is not trusted/);
  });

  it('only reports the command in a dry run, and stops on abort', async () => {
    const dry = await executor().execute(
      ctx({ command: ['systemctl', 'restart', 'kafka'] }, { dryRun: true }),
    );
    expect(dry!.output).toMatchObject({
      dryRun: true,
      command: 'systemctl restart kafka',
    });
    expect(lines[0]).toBe(
      '[127.0.0.1] dry run: would run systemctl restart kafka',
    );

    const controller = new AbortController();
    const started = Date.now();
    const running = executor().execute(
      ctx(
        { command: ['sleep', '30'], nodes: ['127.0.0.1'] },
        { signal: controller.signal },
      ),
    );
    setTimeout(() => controller.abort(new Error('Step timed out')), 500);
    await expect(running).rejects.toThrow('Step timed out');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
