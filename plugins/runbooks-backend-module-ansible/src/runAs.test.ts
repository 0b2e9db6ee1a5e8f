import { mockServices } from '@backstage/backend-test-utils';
import { RunbookExecutorContext } from '@fleetdeck/plugin-runbooks-node';
import { execFileSync } from 'child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AnsibleExecutor } from './AnsibleExecutor';
import { resolveRunAs, RunAsUser } from './runAs';

jest.setTimeout(120_000);

const RUNNER = 'fleetdeck-runner';

function uidOf(name: string): number | undefined {
  try {
    return Number(execFileSync('id', ['-u', name]).toString().trim());
  } catch {
    return undefined;
  }
}

/** The unprivileged test user, created when missing (the tests run as root). */
function ensureRunner(): number {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'The runAs tests switch users and must run as root (as CI does)',
    );
  }
  const existing = uidOf(RUNNER);
  if (existing !== undefined) return existing;
  const useradd = ['/usr/sbin/useradd', '/sbin/useradd'].find(existsSync);
  if (!useradd) {
    throw new Error(
      `useradd is missing, so the test user ${RUNNER} cannot be created: apt-get install passwd`,
    );
  }
  try {
    execFileSync(useradd, ['--system', '--no-create-home', RUNNER]);
  } catch (e) {
    // another test process may have created it meanwhile (exit 9)
    if (uidOf(RUNNER) === undefined) throw e;
  }
  return uidOf(RUNNER)!;
}

function memoryLogger() {
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    warnings,
    infos,
    logger: {
      warn: (m: string) => warnings.push(m),
      info: (m: string) => infos.push(m),
    },
  };
}

describe('resolveRunAs (runbooks.ansible.runAs, checked at startup)', () => {
  let runnerUid: number;
  beforeAll(() => {
    runnerUid = ensureRunner();
  });

  it('warns once when the backend runs as root without it', async () => {
    const { logger, warnings } = memoryLogger();
    await expect(resolveRunAs({ logger, currentUid: 0 })).resolves.toBe(
      undefined,
    );
    expect(warnings).toEqual([
      expect.stringContaining(
        'The backend runs as root and runbooks.ansible.runAs is not set',
      ),
    ]);
    const quiet = memoryLogger();
    await resolveRunAs({ logger: quiet.logger, currentUid: 1000 });
    expect(quiet.warnings).toEqual([]);
  });

  it('resolves the user, and switches only from root', async () => {
    const { logger } = memoryLogger();
    const user = await resolveRunAs({ runAs: RUNNER, logger, currentUid: 0 });
    expect(user).toMatchObject({
      name: RUNNER,
      uid: runnerUid,
      gid: Number(execFileSync('id', ['-g', RUNNER]).toString()),
      switchUser: true,
    });
    await expect(
      resolveRunAs({ runAs: RUNNER, logger, currentUid: runnerUid }),
    ).resolves.toMatchObject({ switchUser: false });
  });

  it('fails when the backend is neither root nor that user, or the user is unknown', async () => {
    const { logger } = memoryLogger();
    await expect(
      resolveRunAs({ runAs: RUNNER, logger, currentUid: runnerUid + 1 }),
    ).rejects.toThrow(
      `runbooks.ansible.runAs is '${RUNNER}' (uid ${runnerUid}), but the backend runs as uid ${
        runnerUid + 1
      }, not root`,
    );
    await expect(
      resolveRunAs({ runAs: 'no-such-user-here', logger, currentUid: 0 }),
    ).rejects.toThrow(
      "runbooks.ansible.runAs: there is no user 'no-such-user-here'",
    );
    await expect(
      resolveRunAs({ runAs: '-o root', logger, currentUid: 0 }),
    ).rejects.toThrow("runbooks.ansible.runAs: '-o root' is not a user name");
  });
});

describe('AnsibleExecutor with runAs', () => {
  let runner: RunAsUser;
  let dir: string;
  let secretDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    ensureRunner();
    runner = (await resolveRunAs({
      runAs: RUNNER,
      logger: memoryLogger().logger,
      currentUid: process.getuid!(),
    }))!;
    // the runbook's directory, readable by the runner as it must be
    dir = mkdtempSync(join(tmpdir(), 'ansible-runas-'));
    chmodSync(dir, 0o755);
    writeFileSync(
      join(dir, 'whoami.yml'),
      `
- hosts: all
  connection: local
  gather_facts: false
  tasks:
    - name: Who runs
      ansible.builtin.command: id -un
      register: who
      changed_when: false
    - ansible.builtin.debug:
        msg: "user={{ who.stdout }} home={{ lookup('env', 'HOME') }}"
    - name: Read the root-only file
      ansible.builtin.command: cat {{ secret_file }}
      register: secret
      ignore_errors: true
      changed_when: false
    - ansible.builtin.debug:
        msg: "rc={{ secret.rc }} err={{ secret.stderr }} out={{ secret.stdout }}"
`,
      { mode: 0o644 },
    );
    writeFileSync(join(dir, 'runbook.yaml'), 'kind: Runbook', { mode: 0o644 });
    // a file only root may read, in a directory anyone may enter
    secretDir = mkdtempSync(join(tmpdir(), 'ansible-root-only-'));
    chmodSync(secretDir, 0o755);
    writeFileSync(join(secretDir, 'secret'), 'root-only-content\n', {
      mode: 0o600,
    });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(secretDir, { recursive: true, force: true });
  });

  const context = (runbookDir: string) => {
    lines.length = 0;
    return {
      input: {
        playbook: 'whoami.yml',
        hosts: ['node-a'],
        extraVars: { secret_file: join(secretDir, 'secret') },
      },
      target: {
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name: 'c' },
      },
      runbook: {
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Runbook',
        metadata: {
          name: 'whoami',
          annotations: {
            'backstage.io/managed-by-location': `file:${join(
              runbookDir,
              'runbook.yaml',
            )}`,
          },
        },
        spec: { owner: 'x', targets: {}, steps: [] },
      },
      runId: 'run-1',
      idempotencyKey: 'run-1/t/s',
      dryRun: false,
      signal: new AbortController().signal,
      logger: {
        info: (l: string) => lines.push(l),
        warn: (l: string) => lines.push(l),
        error: (l: string) => lines.push(l),
      },
      workingDirectory: mkdtempSync(join(tmpdir(), 'ansible-work-')),
    } as unknown as RunbookExecutorContext;
  };

  it('runs the playbook as that user, who cannot read a root-only file', async () => {
    const executor = new AnsibleExecutor({
      urlReader: mockServices.urlReader.mock() as any,
      runAs: runner,
    });
    const ctx = context(dir);
    await executor.execute(ctx);
    const log = lines.join('\n');
    // the user's passwd home does not exist (--no-create-home): one in the step's directory
    expect(log).toContain(
      `"msg": "user=${RUNNER} home=${join(ctx.workingDirectory, 'home')}"`,
    );
    expect(log).toMatch(/"msg": "rc=1 err=cat: .*secret: Permission denied/);
    expect(log).not.toContain('root-only-content');
    expect(
      statSync(join(ctx.workingDirectory, 'extra-vars.yml')),
    ).toMatchObject({ uid: runner.uid, mode: 0o100600 });
    rmSync(ctx.workingDirectory, { recursive: true, force: true });
  });

  it('runs as root without runAs, so the test above can fail', async () => {
    const executor = new AnsibleExecutor({
      urlReader: mockServices.urlReader.mock() as any,
    });
    const ctx = context(dir);
    await executor.execute(ctx);
    const log = lines.join('\n');
    expect(log).toContain('"msg": "user=root');
    expect(log).toContain('out=root-only-content');
    rmSync(ctx.workingDirectory, { recursive: true, force: true });
  });

  it("names the user when it cannot read the runbook's playbook", async () => {
    const closed = mkdtempSync(join(tmpdir(), 'ansible-closed-')); // 0700, root's
    writeFileSync(join(closed, 'whoami.yml'), '- hosts: all\n  tasks: []\n');
    writeFileSync(join(closed, 'runbook.yaml'), 'kind: Runbook');
    try {
      await expect(
        new AnsibleExecutor({
          urlReader: mockServices.urlReader.mock() as any,
          runAs: runner,
        }).execute(context(closed)),
      ).rejects.toThrow(
        `is not readable by '${RUNNER}' (runbooks.ansible.runAs): make the runbook's directory readable by that user`,
      );
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });
});
