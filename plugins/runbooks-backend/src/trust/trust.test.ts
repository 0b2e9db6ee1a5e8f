import {
  AuthService,
  coreServices,
  createBackendPlugin,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ActionsService,
  actionsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import ansibleModule from '@fleetdeck/plugin-runbooks-backend-module-ansible';
import { gitUrlReaderFactory } from '@fleetdeck/plugin-scaffolder-backend-module-fleet';
import { execFileSync } from 'child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { pathToFileURL } from 'url';
import { entitiesYaml } from '../__testUtils__/fixtures';
import { startRunbooksTestBackend } from '../__testUtils__/testBackend';
import { createRunRunbookAction } from '../scaffolder/createRunRunbookAction';

jest.setTimeout(240_000);

const databases = TestDatabases.create();

const git = (args: string[], cwd: string) =>
  execFileSync('git', args, {
    cwd,
    stdio: 'pipe',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  })
    .toString()
    .trim();

/** Pushes files to a bare repository on the test git server; returns the commit. */
function push(remote: string, files: Record<string, string>): string {
  const work = mkdtempSync(join(tmpdir(), 'trust-work-'));
  try {
    if (!existsSync(remote))
      git(['init', '--bare', '-q', '-b', 'main', remote], tmpdir());
    git(['init', '-q', '-b', 'main'], work);
    git(['remote', 'add', 'origin', remote], work);
    try {
      git(['fetch', '-q', 'origin', 'main'], work);
      git(['reset', '-q', '--hard', 'origin/main'], work);
    } catch {
      // an empty repository: the first commit
    }
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(work, path, '..'), { recursive: true });
      writeFileSync(join(work, path), content);
    }
    git(['add', '-A'], work);
    git(['commit', '-q', '-m', 'update'], work);
    git(['push', '-q', 'origin', 'main'], work);
    return git(['rev-parse', 'HEAD'], work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A runbook whose playbook writes `marker` on the backend host: code. */
function runbookRepo(
  name: string,
  marker: string,
  text: string,
  extraInput = '',
) {
  return {
    'catalog-info.yaml': `apiVersion: fleetdeck.io/v1alpha1
kind: Runbook
metadata: { name: ${name} }
spec:
  owner: group:default/platform-kafka
  targets: { kind: Cluster, spec.engine: kafka }
  approval:
    when: { spec.environment: production }
    approvers: [sre]
  steps:
    - id: mark
      executor: ansible
      input: { playbook: marker.yml${extraInput} }
`,
    'marker.yml': `- hosts: all
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.shell: echo ${text} >> ${marker}
      check_mode: false
      run_once: true
`,
  };
}

describe.each(databases.eachSupportedId())(
  'Only runbooks from trusted sources run, on %s',
  databaseId => {
    const root = mkdtempSync(join(tmpdir(), 'runbooks-trust-'));
    const gitDir = join(root, 'git');
    const guestMarker = join(root, 'guest-marker');
    const opsMarker = join(root, 'ops-marker');
    const remote = (repo: string) => pathToFileURL(join(gitDir, repo)).href;
    const blob = (repo: string) =>
      `${remote(repo)}/-/blob/main/catalog-info.yaml`;
    let backend: Awaited<ReturnType<typeof startRunbooksTestBackend>>;
    let services: {
      auth: AuthService;
      discovery: DiscoveryService;
      actions: ActionsService;
    };
    let opsCommit: string;

    beforeAll(async () => {
      mkdirSync(gitDir);
      // a guest's own repository: a runbook, and a cluster pointing at a host
      const guest = runbookRepo('guest-marker', guestMarker, 'pwned');
      push(join(gitDir, 'guest-tools.git'), {
        ...guest,
        'catalog-info.yaml': `${guest['catalog-info.yaml']}---
apiVersion: fleetdeck.io/v1alpha1
kind: Cluster
metadata: { name: guest-cluster }
spec: { engine: kafka, environment: staging, owner: group:default/platform-kafka, nodes: [127.0.0.2] }
`,
      });
      // the ops team's repository, named in runbooks.trustedSources
      opsCommit = push(join(gitDir, 'ops-runbooks.git'), {
        ...runbookRepo(
          'ops-marker',
          opsMarker,
          'v1',
          // the secret is scoped to this runbook
          ', extraVars: { token: "${{ secrets.opsToken }}" }',
        ),
        'greedy/catalog-info.yaml': `apiVersion: fleetdeck.io/v1alpha1
kind: Runbook
metadata: { name: ops-greedy }
spec:
  owner: group:default/platform-kafka
  targets: { kind: Cluster }
  steps:
    - id: take
      executor: ansible
      input: { playbook: x.yml, extraVars: { token: "\${{ secrets.opsToken }}" } }
---
apiVersion: fleetdeck.io/v1alpha1
kind: Runbook
metadata: { name: ops-neighbour }
spec:
  owner: group:default/platform-kafka
  targets: { kind: Cluster }
  steps:
    - id: take
      executor: ansible
      input: { playbook: x.yml }
`,
      });
      const harness = createBackendPlugin({
        pluginId: 'harness',
        register(env) {
          env.registerInit({
            deps: {
              auth: coreServices.auth,
              discovery: coreServices.discovery,
              actions: actionsServiceRef,
            },
            async init(deps) {
              services = deps;
            },
          });
        },
      });
      backend = await startRunbooksTestBackend({
        databases,
        databaseId,
        entitiesYaml,
        executors: [],
        features: [harness, gitUrlReaderFactory, ansibleModule],
        config: {
          trustedSources: [`url:${remote('ops-runbooks.git')}/-/blob/main/`],
          secrets: {
            opsToken: {
              value: 'ops-token-0123456789',
              runbooks: ['runbook:default/ops-marker'],
            },
          },
          ansible: {
            inventoryVars: { ansible_python_interpreter: '/usr/bin/python3' },
          },
        },
        extraConfig: {
          backend: { actions: { pluginSources: ['runbooks'] } },
          fleetdeck: {
            permissions: { adminGroups: ['group:default/fleetdeck-admins'] },
            git: { servers: [{ name: 'test-git', baseUrl: gitDir }] },
          },
        },
        waitFor: ['cluster:default/kafka-staging-01'],
      });
      // any signed-in user may register a url location through the catalog API
      for (const repo of ['guest-tools.git', 'ops-runbooks.git']) {
        const res = await request(backend.server)
          .post('/api/catalog/locations')
          .set('Authorization', backend.as('user:default/amelie'))
          .send({ type: 'url', target: blob(repo) });
        if (res.status !== 201) throw new Error(JSON.stringify(res.body));
      }
      const res = await request(backend.server)
        .post('/api/catalog/locations')
        .set('Authorization', backend.as('user:default/amelie'))
        .send({
          type: 'url',
          target: `${remote(
            'ops-runbooks.git',
          )}/-/blob/main/greedy/catalog-info.yaml`,
        });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
      await waitForEntities([
        'runbook/default/guest-marker',
        'cluster/default/guest-cluster',
        'runbook/default/ops-marker',
      ]);
    });

    afterAll(async () => {
      await backend?.stop();
      rmSync(root, { recursive: true, force: true });
    });

    async function waitForEntities(paths: string[]) {
      for (const path of paths) {
        for (let i = 0; ; i++) {
          const res = await request(backend.server)
            .get(`/api/catalog/entities/by-name/${path}`)
            .set('Authorization', backend.as('user:default/amelie'));
          if (res.status === 200) break;
          if (i > 400) throw new Error(`${path} never appeared`);
          await new Promise(r => setTimeout(r, 250));
        }
      }
    }

    const start = (body: object, user = 'user:default/amelie') =>
      request(backend.server)
        .post('/api/runbooks/runs')
        .set('Authorization', backend.as(user))
        .send(body);

    async function waitForRun(runId: string, status = 'succeeded') {
      for (let i = 0; i < 600; i++) {
        const res = await request(backend.server)
          .get(`/api/runbooks/runs/${runId}`)
          .set('Authorization', backend.as('user:default/amelie'));
        if (res.body.status === status) return res.body;
        if (['failed', 'cancelled'].includes(res.body.status)) {
          const logs = await request(backend.server)
            .get(`/api/runbooks/runs/${runId}/logs`)
            .set('Authorization', backend.as('user:default/amelie'));
          throw new Error(
            `run ${res.body.status}: ${JSON.stringify(logs.body.items)}`,
          );
        }
        await new Promise(r => setTimeout(r, 200));
      }
      throw new Error(`run ${runId} never reached ${status}`);
    }

    const untrusted = expect.stringMatching(
      /^Not trusted: runbook:default\/guest-marker was read from url:file:.*guest-tools\.git\/-\/blob\/main\/catalog-info\.yaml, which is neither a catalog location in app-config nor under runbooks\.trustedSources$/,
    );

    it('lists a runbook a user registered, with why it cannot run', async () => {
      const res = await request(backend.server)
        .get('/api/runbooks/runbooks')
        .query({ entityRef: 'cluster:default/kafka-staging-01' })
        .set('Authorization', backend.as('user:default/amelie'));
      expect(res.status).toBe(200);
      const byName = Object.fromEntries(
        res.body.items.map((r: any) => [r.name, r.trust]),
      );
      expect(byName['guest-marker']).toEqual({
        trusted: false,
        reason: untrusted,
      });
      expect(byName['ops-marker']).toEqual({ trusted: true });
      expect(res.body.target).toEqual({ trusted: true });
    });

    it('refuses to start it by hand, through the scaffolder action and the actions registry: the playbook never runs', async () => {
      const byHand = await start({
        runbookRef: 'runbook:default/guest-marker',
        targets: ['cluster:default/kafka-staging-01'],
      });
      expect(byHand.status).toBe(403);
      expect(byHand.body.error.message).toEqual(untrusted);

      const action = createRunRunbookAction({
        ...services,
        pollIntervalMs: 50,
      });
      const ctx = createMockActionContext({
        input: {
          runbook: 'runbook:default/guest-marker',
          targets: ['cluster:default/kafka-staging-01'],
          wait: true,
        },
      });
      ctx.getInitiatorCredentials = async () =>
        mockCredentials.user('user:default/amelie');
      await expect(action.handler(ctx as any)).rejects.toMatchObject({
        response: { status: 403 },
        body: { error: { message: untrusted } },
      });

      await expect(
        services.actions.invoke({
          id: 'runbooks:start-runbook-dry-run',
          input: {
            runbookRef: 'runbook:default/guest-marker',
            targets: ['cluster:default/kafka-staging-01'],
          },
          credentials: mockCredentials.user('user:default/amelie'),
        }),
      ).rejects.toMatchObject({ body: { error: { message: untrusted } } });

      // each refusal is an audit event naming the actor and the reason
      const refused = backend.auditEvents.filter(
        e =>
          e.eventId === 'run-start' &&
          e.status === 'failed' &&
          e.meta.runbookRef === 'runbook:default/guest-marker',
      );
      expect(refused).toHaveLength(3);
      expect(refused[0].meta.actor).toBe('user:default/amelie');
      expect(refused[0].error).toMatch(/^Not trusted/);
      expect(existsSync(guestMarker)).toBe(false);
    });

    it('runs the same kind of runbook from the trusted repository, pinned to its commit while a push lands mid-run', async () => {
      // a production target waits for approval: the push lands meanwhile
      const res = await start({
        runbookRef: 'runbook:default/ops-marker',
        targets: ['cluster:default/kafka-prod-01'],
      });
      expect(res.status).toBe(201);
      expect(res.body.definition).toEqual({
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        commit: opsCommit,
        source: `${remote('ops-runbooks.git')}/-/blob/main/`,
      });
      const pushed = push(join(gitDir, 'ops-runbooks.git'), {
        'marker.yml': readFileSync(
          join(__dirname, '../../package.json'),
        ).toString() /* not even a playbook any more */,
      });
      expect(pushed).not.toBe(opsCommit);
      const approved = await request(backend.server)
        .post(`/api/runbooks/runs/${res.body.id}/approve`)
        .set('Authorization', backend.as('user:default/hannah'))
        .send({});
      expect(approved.status).toBeLessThan(300);
      await waitForRun(res.body.id);
      // the pinned playbook ran: its text, written once
      expect(readFileSync(opsMarker, 'utf8')).toBe('v1\n');
    });

    it('refuses a cluster a user registered as a target, and says so on its Runbooks tab', async () => {
      const res = await start({
        runbookRef: 'runbook:default/ops-marker',
        targets: ['cluster:default/guest-cluster'],
      });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /^Not a trusted target: cluster:default\/guest-cluster was read from url:file:.*guest-tools\.git.*nor from an inventory provider$/,
      );
      const tab = await request(backend.server)
        .get('/api/runbooks/runbooks')
        .query({ entityRef: 'cluster:default/guest-cluster' })
        .set('Authorization', backend.as('user:default/amelie'));
      expect(tab.body.target).toMatchObject({
        trusted: false,
        reason: expect.stringMatching(/^Not a trusted target/),
      });
      // a run over every matching cluster leaves it out, and says so
      const all = await start({
        runbookRef: 'runbook:default/ops-marker',
        dryRun: true,
      });
      expect(all.status).toBe(201);
      const targets = await request(backend.server)
        .get(`/api/runbooks/runs/${all.body.id}/targets`)
        .set('Authorization', backend.as('user:default/amelie'));
      expect(targets.body.items.map((t: any) => t.entityRef).sort()).toEqual([
        'cluster:default/kafka-prod-01',
        'cluster:default/kafka-staging-01',
      ]);
      const logs = await request(backend.server)
        .get(`/api/runbooks/runs/${all.body.id}/logs`)
        .query({ scope: 'run' })
        .set('Authorization', backend.as('user:default/amelie'));
      expect(logs.body.items.map((l: any) => l.message)).toEqual([
        expect.stringMatching(
          /^Left out 1 of 3 matching targets .*: cluster:default\/guest-cluster$/,
        ),
      ]);
    });

    it('refuses at ingestion a runbook that names a secret outside its scope', async () => {
      // its neighbour in the same file is in: both were read
      await waitForEntities(['runbook/default/ops-neighbour']);
      const res = await request(backend.server)
        .get('/api/catalog/entities/by-name/runbook/default/ops-greedy')
        .set('Authorization', backend.as('user:default/amelie'));
      expect(res.status).toBe(404);
    });
  },
);
