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

  /**
   * What the worker hands the executor: `input` rendered, and the runbook
   * with the step's input as written (`raw`, by default the same: no
   * templates in it).
   */
  const ctx = (
    input: Record<string, unknown>,
    extra: Partial<RunbookExecutorContext> = {},
    raw: Record<string, unknown> = input,
  ) => {
    lines.length = 0;
    return {
      input,
      stepId: 'run',
      runbook: {
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Runbook',
        metadata: { name: 'ops' },
        spec: {
          owner: 'group:default/ops',
          targets: { kind: 'Cluster' },
          steps: [
            { id: 'check', executor: 'ssh', input: { command: ['true'] } },
            { id: 'run', executor: 'ssh', input: raw },
          ],
        },
      },
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

  describe('parameters reach the remote program as data', () => {
    const hostileValues = (marker: string) => [
      `$(id > ${marker})`,
      `; id > ${marker}`,
      `\`id > ${marker}\``,
      `line one\nid > ${marker}`,
      `it's'; id > ${marker}; echo '`,
      `"; id > ${marker}; echo "`,
      `| id > ${marker} & $HOME ~ * \\ {{ x }} \${{ y }}`,
      '',
    ];

    it('quotes each templated arg and env value, on a real sshd', async () => {
      const marker = join(dir, 'marker-args');
      const values = hostileValues(marker);
      // as the worker renders `args: ['${{ parameters.v0 }}', ...]`
      const raw = {
        command: [
          'sh',
          '-c',
          'printf "[%s]\\n" "$@"; printf "<%s>\\n" "$REASON" "$TICKET"',
          'sh',
        ],
        args: values.map((_, i) => `\${{ parameters.v${i} }}`),
        env: {
          REASON: '${{ parameters.reason }}',
          TICKET: 'OPS-${{ parameters.ticket }}',
        },
        nodes: ['127.0.0.1'],
      };
      const result = await executor().execute(
        ctx(
          {
            ...raw,
            args: values,
            env: { REASON: values[0], TICKET: `OPS-${values[4]}` },
          },
          {},
          raw,
        ),
      );
      const expected = [
        ...values.map(v => `[${v}]`),
        `<${values[0]}>`,
        `<OPS-${values[4]}>`,
      ]
        .join('\n')
        .split('\n')
        .map(l => `[127.0.0.1] ${l}`);
      expect(lines).toEqual(expected);
      expect(existsSync(marker)).toBe(false);
      expect(result!.output).toMatchObject({
        nodes: { '127.0.0.1': { exitCode: 0 } },
      });
    });

    it('runs what a template puts in the command, so the test above can fail', async () => {
      // the pre-fix way: a parameter inside `sh -c` text is shell code; this
      // is exactly what the executor refuses when the runbook has a template
      // there (next test)
      const marker = join(dir, 'marker-control');
      await executor().execute(
        ctx({
          command: ['sh', '-c', `echo rotating; id > ${marker}`],
          nodes: ['127.0.0.1'],
        }),
      );
      expect(existsSync(marker)).toBe(true);
    });

    it.each([
      [
        'a template in the command',
        { command: ['sh', '-c', 'echo ${{ parameters.reason }}'] },
        (m: string) => ({ command: ['sh', '-c', `echo $(id > ${m})`] }),
        "ssh step 'run': command must be the runbook's own text, a list of strings without ${{ }} or {% %}",
      ],
      [
        'a command that is one template',
        { command: '${{ parameters.command }}' },
        (m: string) => ({ command: ['sh', '-c', `id > ${m}`] }),
        "ssh step 'run': command must be the runbook's own text",
      ],
      [
        'a tag in the command',
        { command: ['sh', '-c', '{% if true %}id{% endif %}'] },
        (m: string) => ({ command: ['sh', '-c', `id > ${m}`] }),
        "ssh step 'run': command must be the runbook's own text",
      ],
      [
        'a command that differs from the runbook',
        { command: ['echo', 'hello'] },
        (m: string) => ({ command: ['sh', '-c', `id > ${m}`] }),
        "ssh step 'run': command differs from the runbook's text after rendering",
      ],
      [
        'env names from a template',
        { command: ['env'], env: '${{ parameters.env }}' },
        (m: string) => ({
          command: ['env'],
          env: { BASH_ENV: m },
        }),
        "ssh step 'run': env must be a map written in the runbook",
      ],
      [
        'LD_PRELOAD in env',
        { command: ['true'], env: { LD_PRELOAD: '${{ parameters.lib }}' } },
        (m: string) => ({ command: ['true'], env: { LD_PRELOAD: m } }),
        "ssh step 'run': env.LD_PRELOAD cannot be set",
      ],
      [
        'PATH in env',
        { command: ['true'], env: { PATH: '${{ parameters.path }}' } },
        (m: string) => ({ command: ['true'], env: { PATH: m } }),
        "ssh step 'run': env.PATH cannot be set",
      ],
      [
        'an option from a template',
        { command: ['tar', '-cf', 'x.tar'], args: ['${{ parameters.file }}'] },
        (m: string) => ({
          command: ['tar', '-cf', 'x.tar'],
          args: [`--checkpoint-action=exec=id > ${m}`],
        }),
        "ssh step 'run': args[0] starts with '-' from a template and would be read as an option",
      ],
    ])('refuses %s before connecting', async (_name, raw, rendered, error) => {
      const marker = join(dir, `marker-refused-${Date.now()}`);
      const promise = executor().execute(
        ctx({ ...rendered(marker), nodes: ['127.0.0.1'] }, {}, {
          ...raw,
          nodes: ['127.0.0.1'],
        } as Record<string, unknown>),
      );
      await expect(promise).rejects.toThrow(error);
      await expect(promise).rejects.toMatchObject({ name: 'InputError' });
      expect(lines).toEqual([]);
      expect(existsSync(marker)).toBe(false);
    });

    it("takes an option from the runbook's text, and any arg after '--'", async () => {
      const raw = {
        command: ['printf', '--', '[%s]\\n'],
        args: ['-n', '${{ parameters.x }}'],
        nodes: ['127.0.0.1'],
      };
      await executor().execute(
        ctx({ ...raw, args: ['-n', '--help'] }, {}, raw),
      );
      expect(lines).toEqual(['[127.0.0.1] [-n]', '[127.0.0.1] [--help]']);
      const authored = {
        command: ['printf', '[%s]\\n'],
        args: ['-${{ parameters.flag }}'],
        nodes: ['127.0.0.1'],
      };
      // a leading '-' the author wrote is theirs
      await expect(
        executor().execute(ctx({ ...authored, args: ['-x'] }, {}, authored)),
      ).resolves.toBeTruthy();
    });

    it('refuses a step it cannot find in the runbook', async () => {
      const context = ctx({ command: ['true'], nodes: ['127.0.0.1'] });
      context.stepId = 'elsewhere';
      await expect(executor().execute(context)).rejects.toThrow(
        "ssh step 'elsewhere' is not in runbook 'ops': its command cannot be checked",
      );
    });

    it('shows the quoted command line in a dry run', async () => {
      const raw = {
        command: ['echo'],
        args: ['${{ parameters.reason }}'],
        env: { A: '${{ parameters.reason }}' },
      };
      const dry = await executor().execute(
        ctx(
          { ...raw, args: ["$(id)'x"], env: { A: '`id`' } },
          { dryRun: true },
          raw,
        ),
      );
      expect(dry!.output).toMatchObject({
        command: `A='\`id\`' echo '$(id)'\\''x'`,
      });
    });
  });
});
