import { TestDatabases } from '@backstage/backend-test-utils';
import ansibleModule from '@fleetdeck/plugin-runbooks-backend-module-ansible';
import { execFileSync } from 'child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { startRunbooksTestBackend } from '../__testUtils__/testBackend';

jest.setTimeout(240_000);

/**
 * Issue 11 as the MongoDB team member hit it, over HTTP: a Cluster from the
 * catalog whose description holds a Jinja payload, a runbook started as a
 * dry run with the payload as its free-text reason, the real ansible module
 * (configured as in production, with runbooks.ansible.runAs) and a real
 * ansible-playbook. Neither payload runs; both show as text in the run's log.
 */
const databases = TestDatabases.create();

const RUNNER = 'fleetdeck-runner';

/** The unprivileged user ansible runs as here; created when missing. */
function ensureRunner() {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'This test switches users and must run as root (as CI does)',
    );
  }
  const exists = () => {
    try {
      execFileSync('id', ['-u', RUNNER]);
      return true;
    } catch {
      return false;
    }
  };
  if (exists()) return;
  const useradd = ['/usr/sbin/useradd', '/sbin/useradd'].find(existsSync);
  if (!useradd) {
    throw new Error(
      `useradd is missing, so the test user ${RUNNER} cannot be created: apt-get install passwd`,
    );
  }
  try {
    execFileSync(useradd, ['--system', '--no-create-home', RUNNER]);
  } catch (e) {
    if (!exists()) throw e; // not created meanwhile by another test
  }
}

// the debug module prints msg as JSON: quotes come out escaped
const printed = (text: string) => JSON.stringify(text).slice(1, -1);

describe.each(databases.eachSupportedId())(
  'the Jinja payload of issue 11 over HTTP, on %s',
  databaseId => {
    // markers go where the runAs user could write them, or the test could not fail
    const root = mkdtempSync(join(tmpdir(), 'ansible-injection-http-'));
    chmodSync(root, 0o1777);
    const payload = (door: string) =>
      `{{ lookup("pipe","id > ${join(
        root,
        `marker-${door}`,
      )}; echo injected") }}`;
    let backend: Awaited<ReturnType<typeof startRunbooksTestBackend>>;

    beforeAll(async () => {
      ensureRunner();
      backend = await startRunbooksTestBackend({
        databases,
        databaseId,
        executors: [],
        features: [ansibleModule],
        config: { ansible: { runAs: RUNNER } },
        entitiesYaml: `
apiVersion: fleetdeck.io/v1alpha1
kind: Cluster
metadata:
  name: mongo-staging-07
  description: '${payload('description')}'
spec: { engine: mongodb, version: '7.0', environment: staging, owner: group:default/platform-mongodb, nodes: [mongo-staging-07-a] }
---
apiVersion: fleetdeck.io/v1alpha1
kind: Runbook
metadata: { name: key-rotation-report }
spec:
  owner: group:default/platform-mongodb
  targets: { kind: Cluster, spec.engine: mongodb }
  parameters:
    type: object
    required: [reason]
    properties:
      reason: { title: Why the key is rotated (ticket), type: string, minLength: 3 }
  steps:
    - id: rotate
      executor: ansible
      input:
        playbook: report.yml
        extraVars:
          reason: \${{ parameters.reason }}
          description: \${{ target.metadata.description }}
          replica_set: \${{ target.metadata.name }}
`,
        waitFor: [
          'cluster:default/mongo-staging-07',
          'runbook:default/key-rotation-report',
        ],
      });
      // the playbook next to the runbook, readable by the runAs user
      chmodSync(backend.dir, 0o755);
      writeFileSync(
        join(backend.dir, 'report.yml'),
        `
- hosts: all
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.command: id -un
      register: who
      changed_when: false
      check_mode: false
    - ansible.builtin.debug:
        msg: "user={{ who.stdout }}"
    - ansible.builtin.debug:
        msg: "{{ replica_set }} rotated ({{ reason }})"
    - ansible.builtin.debug:
        msg: "description=[{{ description }}]"
`,
        { mode: 0o644 },
      );
    });
    afterAll(async () => {
      await backend?.stop();
      rmSync(root, { recursive: true, force: true });
    });

    it('a dry run by the MongoDB team shows the payloads as text and runs neither', async () => {
      const lucas = backend.as('user:default/lucas');
      const started = await request(backend.server)
        .post('/api/runbooks/runs')
        .set('Authorization', lucas)
        .send({
          runbookRef: 'runbook:default/key-rotation-report',
          targets: ['cluster:default/mongo-staging-07'],
          parameters: { reason: payload('parameter') },
          dryRun: true,
        });
      expect(started.status).toBe(201);
      const runId = started.body.id;
      let run: any;
      for (let i = 0; i < 600; i++) {
        run = (
          await request(backend.server)
            .get(`/api/runbooks/runs/${runId}`)
            .set('Authorization', lucas)
        ).body;
        if (run.status !== 'running') break;
        await new Promise(r => setTimeout(r, 100));
      }
      const logs = await request(backend.server)
        .get(`/api/runbooks/runs/${runId}/logs?limit=5000`)
        .set('Authorization', lucas);
      const log = logs.body.items.map((l: any) => l.message).join('\n');
      expect(run.status).toBe('succeeded');
      expect(readdirSync(root)).toEqual([]);
      expect(log).toContain(`"msg": "user=${RUNNER}"`);
      expect(log).toContain(
        printed(`mongo-staging-07 rotated (${payload('parameter')})`),
      );
      expect(log).toContain(printed(`description=[${payload('description')}]`));
      expect(log).not.toContain('rotated (injected)');
      expect(log).not.toContain('description=[injected]');
    });
  },
);
