import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
// the engine itself: it renders ${{ }} in the step input exactly as in production
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { RunStore, RunWorker } from '@fleetdeck/plugin-runbooks-backend';
import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';
import {
  RunbookExecutor,
  RunbookExecutorContext,
} from '@fleetdeck/plugin-runbooks-node';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { AnsibleExecutor } from './AnsibleExecutor';
import { runAnsiblePython } from './__testUtils__/ansiblePython';

jest.setTimeout(180_000);

/**
 * Issue 11, "no user text becomes code": the Jinja payload a MongoDB team
 * member typed as a runbook parameter ran a command on the backend host. Here
 * the same payload comes through every door into a real ansible-playbook run
 * by the real worker (which renders `${{ }}` in the step input): a free-text
 * parameter, a Cluster's description and labels, and a step's output.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const demoRunbookFile = resolve(
  __dirname,
  '../../../examples/runbooks/mongodb-key-rotation/catalog-info.yaml',
);

// the payload of the issue, with a marker file per door
const payloadFor = (marker: string) =>
  `{{ lookup("pipe","id > ${marker}; echo injected") }}`;
// the debug module prints msg as JSON: quotes come out escaped
const printed = (text: string) => JSON.stringify(text).slice(1, -1);

/** A step whose output carries a payload, as a remote command's output could. */
class EmitExecutor implements RunbookExecutor {
  readonly id = 'emit';
  constructor(private readonly output: Record<string, unknown>) {}
  async execute() {
    return { output: this.output };
  }
}

async function runToEnd(options: {
  store: RunStore;
  executors: RunbookExecutor[];
  runbook: RunbookEntityV1alpha1;
  target: RunbookExecutorContext['target'];
  parameters: Record<string, unknown>;
  dryRun: boolean;
}) {
  const { store } = options;
  const worker = new RunWorker({
    store,
    executors: new Map(options.executors.map(e => [e.id, e])),
    logger: mockServices.logger.mock(),
    workerId: 'w1',
    pollIntervalMs: 50,
  });
  const runId = await store.createRun({
    runbookRef: `runbook:default/${options.runbook.metadata.name}`,
    runbook: options.runbook,
    parameters: options.parameters,
    requestedBy: 'user:default/lucas',
    dryRun: options.dryRun,
    concurrency: 1,
    targets: [
      {
        entityRef: `cluster:default/${options.target.metadata.name}`,
        entity: options.target,
        needsApproval: false,
      },
    ],
  });
  worker.start();
  try {
    for (
      let i = 0;
      i < 600 && (await store.getRunSummary(runId)).status === 'running';
      i++
    ) {
      await new Promise(r => setTimeout(r, 100));
    }
  } finally {
    await worker.stop();
  }
  const { items } = await store.listLogs({ runId, limit: 1000 });
  return {
    status: (await store.getRunSummary(runId)).status,
    log: items.map(l => l.message).join('\n'),
  };
}

describe.each(databases.eachSupportedId())(
  'a Jinja payload through the worker into ansible-playbook on %s',
  databaseId => {
    let dir: string;
    let store: RunStore;

    beforeAll(async () => {
      store = await RunStore.fromKnex(await databases.init(databaseId));
    });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'ansible-injection-'));
    });
    afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

    it.each([false, true])(
      'in a parameter, a Cluster description and label, and a step output, stays text (dry run: %s)',
      async dryRun => {
        const markers = {
          parameter: join(dir, 'marker-parameter'),
          description: join(dir, 'marker-description'),
          label: join(dir, 'marker-label'),
          output: join(dir, 'marker-output'),
        };
        const outFile = join(dir, 'report.txt');
        writeFileSync(join(dir, 'runbook.yaml'), 'kind: Runbook');
        writeFileSync(
          join(dir, 'report.yml'),
          `
- hosts: all
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "reason=[{{ reason }}]"
    - ansible.builtin.debug:
        msg: "note=[{{ note }}]"
    - ansible.builtin.debug:
        msg: "description=[{{ description }}]"
    - ansible.builtin.debug:
        msg: "label=[{{ label }}]"
    - ansible.builtin.debug:
        msg: "previous=[{{ previous }}]"
    - ansible.builtin.copy:
        dest: "{{ out_file }}"
        content: "{{ reason }}|{{ description }}|{{ label }}|{{ previous }}\\n"
`,
        );
        const runbook: RunbookEntityV1alpha1 = {
          apiVersion: 'fleetdeck.io/v1alpha1',
          kind: 'Runbook',
          metadata: {
            name: 'report',
            annotations: {
              'backstage.io/managed-by-location': `file:${join(
                dir,
                'runbook.yaml',
              )}`,
            },
          },
          spec: {
            owner: 'group:default/platform-mongodb',
            targets: { kind: 'Cluster' },
            parameters: {
              type: 'object',
              properties: { reason: { type: 'string' } },
            },
            steps: [
              { id: 'emit', executor: 'emit', input: {} },
              {
                id: 'report',
                executor: 'ansible',
                input: {
                  playbook: 'report.yml',
                  extraVars: {
                    reason: '${{ parameters.reason }}',
                    note: 'rotated (${{ parameters.reason }})',
                    description: '${{ target.metadata.description }}',
                    label: '${{ target.metadata.labels.ticket }}',
                    previous: '${{ steps.emit.output.x }}',
                    out_file: outFile,
                  },
                },
              },
            ],
          },
        } as RunbookEntityV1alpha1;
        const payloads = {
          parameter: payloadFor(markers.parameter),
          description: payloadFor(markers.description),
          label: payloadFor(markers.label),
          output: payloadFor(markers.output),
        };
        const { status, log } = await runToEnd({
          store,
          executors: [
            new EmitExecutor({ x: payloads.output }),
            new AnsibleExecutor({
              urlReader: mockServices.urlReader.mock() as any,
            }),
          ],
          runbook,
          target: {
            apiVersion: 'fleetdeck.io/v1alpha1',
            kind: 'Cluster',
            metadata: {
              name: 'mongo-staging-01',
              description: payloads.description,
              labels: { ticket: payloads.label },
            },
            spec: { engine: 'mongodb', nodes: ['m1'] },
          },
          parameters: { reason: payloads.parameter },
          dryRun,
        });

        expect(status).toBe('succeeded');
        expect(readdirSync(dir).filter(f => f.startsWith('marker'))).toEqual(
          [],
        );
        expect(log).toContain(printed(`reason=[${payloads.parameter}]`));
        expect(log).toContain(
          printed(`note=[rotated (${payloads.parameter})]`),
        );
        expect(log).toContain(printed(`description=[${payloads.description}]`));
        expect(log).toContain(printed(`label=[${payloads.label}]`));
        expect(log).toContain(printed(`previous=[${payloads.output}]`));
        expect(log).not.toMatch(/\[injected\]|\(injected\)/);
        // a dry run shows the file's diff, a real run writes it
        const content = `${payloads.parameter}|${payloads.description}|${payloads.label}|${payloads.output}\n`;
        expect(log.includes(`+${content.trim()}`)).toBe(dryRun);
        expect(
          existsSync(outFile) ? readFileSync(outFile, 'utf8') : 'not written',
        ).toBe(dryRun ? 'not written' : content);
      },
    );

    it.each([true, false])(
      'the demo mongodb-key-rotation runbook with the hostile reason of the issue (dry run: %s)',
      async dryRun => {
        const marker = join(dir, 'marker');
        const payload = payloadFor(marker);
        // the demo runbook as it is, read the way Ansible reads YAML
        const runbook = JSON.parse(
          runAnsiblePython(
            'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))',
            readFileSync(demoRunbookFile, 'utf8'),
          ),
        ) as RunbookEntityV1alpha1;
        runbook.metadata.annotations = {
          'backstage.io/managed-by-location': `file:${demoRunbookFile}`,
        };
        const { status, log } = await runToEnd({
          store,
          executors: [
            new AnsibleExecutor({
              urlReader: mockServices.urlReader.mock() as any,
              // as app-config.yaml sets it for the demo
              env: { FLEETDECK_DEMO_DIR: dir },
            }),
          ],
          runbook,
          target: {
            apiVersion: 'fleetdeck.io/v1alpha1',
            kind: 'Cluster',
            metadata: { name: 'mongo-staging-01' },
            spec: { engine: 'mongodb', nodes: ['mongo-staging-01-a'] },
          },
          parameters: { reason: payload, keyLength: 756 },
          dryRun,
        });
        expect(status).toBe('succeeded');
        expect(existsSync(marker)).toBe(false);
        expect(log).not.toContain('rotated (injected)');
        const rotated = join(
          dir,
          'runbooks/mongodb/mongo-staging-01-a/rotated',
        );
        const expected = `mongo-staging-01 rotated (${payload}) at `;
        // the dry run shows the diff (as the user saw it), the real run writes the file
        expect(log.includes(`+${expected}`)).toBe(dryRun);
        expect(
          existsSync(rotated) ? readFileSync(rotated, 'utf8') : 'not written',
        ).toMatch(
          dryRun
            ? /^not written$/
            : new RegExp(
                `^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\d{4}-`,
              ),
        );
      },
    );
  },
);
