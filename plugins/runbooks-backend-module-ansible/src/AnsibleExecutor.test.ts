import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
// the engine itself, to show ansible output streaming into a run's log
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  RunStore,
  RunWorker,
  SecretScopes,
} from '@fleetdeck/plugin-runbooks-backend';
import { ConfigReader } from '@backstage/config';
import { RunbookExecutorContext } from '@fleetdeck/plugin-runbooks-node';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AnsibleExecutor } from './AnsibleExecutor';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const playbook = `
- hosts: all
  connection: local
  gather_facts: false
  tasks:
    - name: Write the patch marker
      ansible.builtin.copy:
        dest: "{{ out_dir }}/{{ inventory_hostname }}.txt"
        content: "patched to {{ version }} on {{ fleetdeck_target }}\\n"
    - name: Say hello
      ansible.builtin.debug:
        msg: "token={{ token | default('none') }}"
`;

describe('AnsibleExecutor', () => {
  let dir: string;
  let outDir: string;
  const lines: string[] = [];
  const executor = new AnsibleExecutor({
    urlReader: mockServices.urlReader.mock() as any,
  });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ansible-runbook-'));
    outDir = mkdtempSync(join(tmpdir(), 'ansible-out-'));
    writeFileSync(join(dir, 'patch.yml'), playbook);
    writeFileSync(join(dir, 'runbook.yaml'), 'kind: Runbook');
    writeFileSync(join(tmpdir(), 'outside.yml'), playbook);
    symlinkSync(join(tmpdir(), 'outside.yml'), join(dir, 'link.yml'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  });

  function context(
    input: Record<string, unknown>,
    extra: Partial<RunbookExecutorContext> = {},
  ): RunbookExecutorContext {
    lines.length = 0;
    const work = mkdtempSync(join(tmpdir(), 'ansible-work-'));
    return {
      input,
      target: {
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name: 'kafka-dev-01' },
        spec: { nodes: ['kafka-dev-01-a', 'kafka-dev-01-b'] },
      },
      runbook: {
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Runbook',
        metadata: {
          name: 'patch',
          annotations: {
            'backstage.io/managed-by-location': `file:${join(
              dir,
              'runbook.yaml',
            )}`,
          },
        },
        spec: { owner: 'x', targets: {}, steps: [] },
      },
      parameters: {},
      runId: 'run-1',
      targetId: 'target-1',
      stepId: 'patch',
      idempotencyKey: 'run-1/target-1/patch',
      attempt: 1,
      checkpoint: async ({ fn }) => fn(),
      redact: () => {},
      dryRun: false,
      signal: new AbortController().signal,
      logger: {
        info: l => lines.push(l),
        warn: l => lines.push(l),
        error: l => lines.push(l),
      },
      secrets: {},
      workingDirectory: work,
      ...extra,
    };
  }

  it('runs the playbook on the target nodes and reports the recap', async () => {
    const result = await executor.execute(
      context({
        playbook: 'patch.yml',
        extraVars: { out_dir: outDir, version: '3.7.1; rm -rf /' },
      }),
    );
    expect(readFileSync(join(outDir, 'kafka-dev-01-a.txt'), 'utf8')).toBe(
      'patched to 3.7.1; rm -rf / on kafka-dev-01\n',
    );
    expect(existsSync(join(outDir, 'kafka-dev-01-b.txt'))).toBe(true);
    expect(
      lines.some(l => l.startsWith('TASK [Write the patch marker] ***')),
    ).toBe(true);
    expect(
      lines.some(l => /^kafka-dev-01-a\s+: ok=2\s+changed=1/.test(l)),
    ).toBe(true);
    expect(result?.output).toMatchObject({
      changed: 2,
      failed: 0,
      hosts: { 'kafka-dev-01-a': { ok: 2, changed: 1 } },
    });
  });

  it('runs --check --diff in a dry run, changing nothing', async () => {
    const result = await executor.execute(
      context(
        {
          playbook: 'patch.yml',
          hosts: ['dry-host'],
          extraVars: { out_dir: outDir, version: '9.9.9' },
        },
        { dryRun: true },
      ),
    );
    expect(existsSync(join(outDir, 'dry-host.txt'))).toBe(false);
    expect(lines.join('\n')).toMatch(/\+patched to 9\.9\.9 on kafka-dev-01/);
    expect(result?.output).toMatchObject({ dryRun: true, changed: 1 });
  });

  it('refuses playbooks outside the runbook directory, also through symlinks', async () => {
    await expect(
      executor.execute(context({ playbook: '../outside.yml' })),
    ).rejects.toThrow(/inside the runbook's directory/);
    await expect(
      executor.execute(context({ playbook: '/etc/passwd' })),
    ).rejects.toThrow(/inside the runbook's directory/);
    await expect(
      executor.execute(context({ playbook: 'link.yml' })),
    ).rejects.toThrow(/escapes the runbook's directory/);
    await expect(
      executor.execute(context({ playbook: 'patch.yml', hosts: ['a;reboot'] })),
    ).rejects.toThrow(/invalid host name/);
  });

  it('fails with the exit code when a task fails, and is killed on abort', async () => {
    writeFileSync(
      join(dir, 'fail.yml'),
      `- hosts: all\n  connection: local\n  gather_facts: false\n  tasks:\n    - ansible.builtin.fail: { msg: boom }\n`,
    );
    await expect(
      executor.execute(context({ playbook: 'fail.yml' })),
    ).rejects.toThrow(/exited with code 2 \(failed=2/);

    writeFileSync(
      join(dir, 'hang.yml'),
      `- hosts: all\n  connection: local\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: sleep 60\n`,
    );
    const controller = new AbortController();
    const started = Date.now();
    const promise = executor.execute(
      context(
        { playbook: 'hang.yml', hosts: ['h1'] },
        { signal: controller.signal },
      ),
    );
    setTimeout(() => controller.abort(new Error('Step timed out')), 3000);
    await expect(promise).rejects.toThrow('Step timed out');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  describe('step data reaches Ansible as data, never as a template', () => {
    const dataPlaybook = `
- hosts: all
  connection: local
  gather_facts: false
  tasks:
    - name: Show the data
      ansible.builtin.debug:
        msg: "reason=[{{ reason }}] target=[{{ fleetdeck_target }}] note=[{{ note }}] first=[{{ things[0] }}] deep=[{{ nested.deep }}] op=[{{ op_greeting | default('none') }}]"
    - name: Show the keys
      ansible.builtin.debug:
        msg: "key=[{{ item.key }}]"
      loop: "{{ keyed | dict2items }}"
    - name: Write the reason
      ansible.builtin.copy:
        dest: "{{ out_file }}"
        content: "rotated ({{ reason }})\\n"
`;
    let marker: string;
    let payload: string;
    // the debug module prints msg as JSON: quotes come out escaped
    const printed = (text: string) => JSON.stringify(text).slice(1, -1);

    beforeAll(() => {
      writeFileSync(join(dir, 'data.yml'), dataPlaybook);
    });
    beforeEach(() => {
      marker = join(outDir, `marker-${Date.now()}`);
      payload = `{{ lookup("pipe","id > ${marker}; echo injected") }}`;
    });

    it.each([false, true])(
      'a Jinja payload in extra vars, inventory vars, keys, lists and the target name stays text (dry run: %s)',
      async dryRun => {
        const outFile = join(outDir, `rotated-${dryRun}.txt`);
        const ctx = context(
          {
            playbook: 'data.yml',
            hosts: ['node-a'],
            extraVars: {
              reason: payload,
              things: [payload, 2],
              nested: { deep: payload },
              keyed: { [payload]: 1 },
              out_file: outFile,
            },
            inventoryVars: { note: payload },
          },
          { dryRun },
        );
        ctx.target.metadata.name = payload;
        await executor.execute(ctx);
        const log = lines.join('\n');
        expect(existsSync(marker)).toBe(false);
        expect(log).toContain(
          printed(
            `reason=[${payload}] target=[${payload}] note=[${payload}] first=[${payload}] deep=[${payload}] op=[none]`,
          ),
        );
        expect(log).toContain(printed(`key=[${payload}]`));
        expect(log).not.toMatch(/\[injected\]|\(injected\)/);
        // a dry run shows the file's diff, a real run writes it
        expect(log.includes(`+rotated (${payload})`)).toBe(dryRun);
        expect(
          existsSync(outFile) ? readFileSync(outFile, 'utf8') : 'not written',
        ).toBe(dryRun ? 'not written' : `rotated (${payload})\n`);
      },
    );

    it("templates the operator's own inventoryVars (trusted config), so the test above can fail", async () => {
      const trusted = new AnsibleExecutor({
        urlReader: mockServices.urlReader.mock() as any,
        inventoryVars: { op_greeting: payload },
      });
      await trusted.execute(
        context({
          playbook: 'data.yml',
          hosts: ['node-a'],
          extraVars: {
            reason: 'r',
            things: [1],
            nested: { deep: 1 },
            keyed: {},
            out_file: join(outDir, 'control.txt'),
          },
          inventoryVars: { note: 'n' },
        }),
      );
      // plain text is a template to Ansible: this is what !unsafe prevents
      expect(existsSync(marker)).toBe(true);
      expect(lines.join('\n')).toContain('op=[injected]');
    });

    it.each([
      ['extraVars', 'ansible_ssh_common_args', /ansible_\* variables/],
      ['extraVars', 'ansible_become_exe', /ansible_\* variables/],
      ['extraVars', 'ansible_connection', /ansible_\* variables/],
      ['extraVars', 'ANSIBLE_python_interpreter', /ansible_\* variables/],
      ['inventoryVars', 'ansible_host', /ansible_\* variables/],
      ['inventoryVars', 'ansible_python_interpreter', /ansible_\* variables/],
      ['extraVars', 'fleetdeck_target', /fleetdeck_\* variables/],
      ['inventoryVars', 'fleetdeck_run_id', /fleetdeck_\* variables/],
      ['extraVars', 'hostvars', /reserved by Ansible/],
      ['extraVars', 'inventory_hostname', /reserved by Ansible/],
      ['extraVars', 'environment', /reserved by Ansible/],
      ['extraVars', 'become_user', /reserved by Ansible/],
      ['extraVars', 'lookup', /reserved by Ansible/],
      ['extraVars', 'op_greeting', /runbooks\.ansible\.inventoryVars sets it/],
      [
        'inventoryVars',
        'op_greeting',
        /runbooks\.ansible\.inventoryVars sets it/,
      ],
      ['extraVars', 'a b', /is not a variable name/],
      ['extraVars', '{{ x }}', /is not a variable name/],
    ])('refuses %s.%s from a step', async (field, name, reason) => {
      const withOperatorVars = new AnsibleExecutor({
        urlReader: mockServices.urlReader.mock() as any,
        inventoryVars: { op_greeting: 'hello' },
      });
      const promise = withOperatorVars.execute(
        context({
          playbook: 'data.yml',
          hosts: ['node-a'],
          // a value that would run a command if Ansible used it
          [field]: { [name]: `-o ProxyCommand=touch ${marker}` },
        }),
      );
      await expect(promise).rejects.toThrow(reason);
      await expect(promise).rejects.toMatchObject({ name: 'InputError' });
      await expect(promise).rejects.toThrow(
        name.startsWith('{') || name.includes(' ')
          ? JSON.stringify(name)
          : `${field}.${name}`,
      );
      expect(lines).toEqual([]); // ansible-playbook never started
      expect(existsSync(marker)).toBe(false);
    });

    it.each([
      '-vvvv',
      '--help',
      'a:b',
      '!a',
      'a&b',
      'a*',
      'a,b',
      '~a',
      '@f',
      'a b',
      '{{x}}',
    ])(
      'refuses the host name %j, from the input and from the target',
      async host => {
        await expect(
          executor.execute(context({ playbook: 'data.yml', hosts: [host] })),
        ).rejects.toThrow(/invalid host name/i);
        const ctx = context({ playbook: 'data.yml' });
        ctx.target.spec = { nodes: ['ok-node', host] };
        await expect(executor.execute(ctx)).rejects.toThrow(
          `Invalid host name '${host}'`,
        );
        expect(lines).toEqual([]);
      },
    );
  });

  describe.each(databases.eachSupportedId())(
    'through the engine on %s',
    databaseId => {
      it('streams ansible output into the run log and redacts secrets', async () => {
        const store = await RunStore.fromKnex(await databases.init(databaseId));
        const secret = 'kafka-admin-S3cret!';
        const worker = new RunWorker({
          store,
          executors: new Map([['ansible', executor]]),
          logger: mockServices.logger.mock(),
          workerId: 'w1',
          pollIntervalMs: 50,
          secrets: SecretScopes.fromConfig(
            new ConfigReader({
              runbooks: {
                secrets: {
                  kafkaAdmin: {
                    value: secret,
                    owners: ['group:default/platform-kafka'],
                  },
                },
              },
            }),
          ),
        });
        const runbook = context({}).runbook;
        runbook.spec = {
          owner: 'group:default/platform-kafka',
          targets: { kind: 'Cluster' },
          steps: [
            {
              id: 'patch',
              executor: 'ansible',
              input: {
                playbook: 'patch.yml',
                extraVars: {
                  out_dir: outDir,
                  version: '${{ parameters.version }}',
                  token: '${{ secrets.kafkaAdmin }}',
                },
              },
            },
          ],
        };
        const runId = await store.createRun({
          runbookRef: 'runbook:default/patch',
          runbook,
          parameters: { version: '3.8.0' },
          requestedBy: 'user:default/amelie',
          dryRun: false,
          concurrency: 1,
          targets: [
            {
              entityRef: 'cluster:default/kafka-dev-02',
              entity: {
                ...context({}).target,
                metadata: { name: 'kafka-dev-02' },
                spec: { nodes: ['kafka-dev-02-a'] },
              },
              needsApproval: false,
            },
          ],
        });
        worker.start();
        try {
          for (
            let i = 0;
            i < 300 && (await store.getRunSummary(runId)).status === 'running';
            i++
          ) {
            await new Promise(r => setTimeout(r, 100));
          }
        } finally {
          await worker.stop();
        }
        expect((await store.getRunSummary(runId)).status).toBe('succeeded');
        const { items } = await store.listLogs({ runId, limit: 500 });
        const messages = items.map(l => l.message);
        expect(messages.some(m => m.startsWith('TASK [Say hello] ***'))).toBe(
          true,
        );
        expect(messages.join('\n')).toContain('"msg": "token=***"');
        expect(messages.join('\n')).not.toContain(secret);
        expect(readFileSync(join(outDir, 'kafka-dev-02-a.txt'), 'utf8')).toBe(
          'patched to 3.8.0 on kafka-dev-02\n',
        );
      });
    },
  );
});
