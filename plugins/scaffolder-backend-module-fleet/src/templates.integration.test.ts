import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import permissionModuleFleetdeckPolicy from '@fleetdeck/plugin-permission-backend-module-fleetdeck';
import {
  httpAuthWithActors,
  userInfoFromMemberships,
} from '@fleetdeck/backend-test-utils';
import { execFileSync, spawn, spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer, Server } from 'http';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import request from 'supertest';
import yaml from 'yaml';
import { scaffolderModuleFleet } from './module';
import { gitUrlReaderFactory } from './reader/gitUrlReaderFactory';
import { bareRepo, branches, git, show } from './__testUtils__/git';
import { templatesDir } from './__testUtils__/templates';

jest.setTimeout(180_000);

const repoRoot = resolve(templatesDir, '..');
const guest = mockCredentials.user.header('user:default/guest');

/**
 * Stands in for the Cluster kind's processor (plugins/catalog-backend-module-fleet)
 * so that the test can pick clusters: it accepts `fleetdeck.io/v1alpha1` Clusters.
 */
const catalogModuleClusterKind = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-cluster-kind',
  register(reg) {
    reg.registerInit({
      deps: { processing: catalogProcessingExtensionPoint },
      async init({ processing }) {
        processing.addProcessor({
          getProcessorName: () => 'TestClusterKind',
          validateEntityKind: async (entity: Entity) =>
            entity.apiVersion === 'fleetdeck.io/v1alpha1' &&
            entity.kind === 'Cluster',
        });
      },
    });
  },
});

/** Runs a command without blocking this process's event loop. */
function runAsync(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise(done => {
    const child = spawn(command, args, { ...options, timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    child.on('close', status => done({ status, stdout, stderr }));
  });
}

/** Records what the generated pipeline's report script sends. */
function captureServer() {
  const requests: Array<{ headers: any; body: any; url?: string }> = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', c => (data += c));
    req.on('end', () => {
      requests.push({
        headers: req.headers,
        body: JSON.parse(data),
        url: req.url,
      });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return { server, requests };
}

describe('the Microservice template end to end', () => {
  let base: string;
  let gitDir: string;
  let gitops: string;
  let server: Parameters<typeof request>[0];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'fleetdeck-e2e-template-'));
    // The demo's own hook makes the git server and the GitOps repository.
    execFileSync('bash', [join(repoRoot, 'scripts/demo.d/50-templates.sh')], {
      env: { ...process.env, FLEETDECK_DEMO_DIR: base },
    });
    gitDir = join(base, 'git');
    gitops = join(gitDir, 'gitops.git');
    writeFileSync(
      join(base, 'clusters.yaml'),
      yaml.stringify({
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name: 'kafka-prod-01' },
        spec: { engine: 'kafka', owner: 'platform-kafka' },
      }),
    );
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleScaffolderEntityModel,
        catalogModuleClusterKind,
        scaffolderPlugin,
        githubModule,
        scaffolderModuleFleet,
        gitUrlReaderFactory,
        permissionPlugin,
        permissionModuleFleetdeckPolicy,
        httpAuthWithActors,
        userInfoFromMemberships({
          'user:default/guest': ['group:default/platform-kafka'],
        }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            fleetdeck: {
              permissions: { adminGroups: ['group:default/fleetdeck-admins'] },
              git: {
                servers: [
                  { name: 'demo', baseUrl: gitDir, createRepositories: true },
                ],
              },
              gitops: { repoUrl: gitops },
            },
            scaffolder: {
              defaultCommitMessage: 'Initial commit from Fleetdeck',
            },
            catalog: {
              rules: [
                { allow: ['Component', 'System', 'API', 'Domain', 'Location'] },
              ],
              locations: [
                {
                  type: 'file',
                  target: join(repoRoot, 'examples/entities.yaml'),
                },
                {
                  type: 'file',
                  target: join(repoRoot, 'examples/org.yaml'),
                  rules: [{ allow: ['User', 'Group'] }],
                },
                {
                  type: 'file',
                  target: join(base, 'clusters.yaml'),
                  rules: [{ allow: ['Cluster'] }],
                },
                {
                  type: 'file',
                  target: join(templatesDir, '*/template.yaml'),
                  rules: [{ allow: ['Template'] }],
                },
              ],
            },
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
    for (const ref of [
      'template/default/microservice',
      'group/default/payments',
      'cluster/default/kafka-prod-01',
      'user/default/guest',
      'component/default/payments-api',
    ]) {
      await entity(ref);
    }
  });

  afterAll(async () => {
    await stop?.();
    rmSync(base, { recursive: true, force: true });
  });

  async function entity(ref: string, timeoutMs = 60_000): Promise<Entity> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await request(server)
        .get(`/api/catalog/entities/by-name/${ref}`)
        .set('Authorization', guest);
      if (res.status === 200) return res.body;
      await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`${ref} never appeared in the catalog`);
  }

  /** Runs the template as the guest; resolves with the final status and the task log. */
  async function run(values: Record<string, unknown>) {
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', guest)
      .send({ templateRef: 'template:default/microservice', values });
    expect(created.status).toBe(201);
    const id = created.body.id;
    for (let i = 0; i < 240; i++) {
      const task = await request(server)
        .get(`/api/scaffolder/v2/tasks/${id}`)
        .set('Authorization', guest);
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = await request(server)
          .get(`/api/scaffolder/v2/tasks/${id}/events`)
          .set('Authorization', guest);
        const log = events.body
          .map((e: any) => e.body?.message ?? '')
          .join('\n');
        return { status: task.body.status as string, log, task: task.body };
      }
      await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`task ${id} did not finish`);
  }

  const values = (name: string) => ({
    name,
    description: 'Accepts payment orders from partner banks',
    owner: 'group:default/payments',
    system: 'system:default/payments-platform',
    lifecycle: 'production',
    clusters: ['cluster:default/kafka-prod-01'],
    ciSystem: 'github-actions',
    gitTarget: 'git',
  });

  it('creates the repository, the GitOps branch and the catalog entry', async () => {
    const result = await run(values('payments-gateway'));
    expect(result).toMatchObject({ status: 'completed' });

    // The repository: one commit by the user who ran the template.
    const repo = join(gitDir, 'payments-gateway.git');
    expect(branches(repo)).toEqual(['main']);
    expect(
      git(['--git-dir', repo, 'log', '--format=%an <%ae>|%s', 'main']),
    ).toBe(
      'Guest (demo) <guest@fleetdeck.example>|Initial commit from Fleetdeck',
    );
    const tree = git(['--git-dir', repo, 'ls-tree', '-r', 'main']);
    expect(tree).toMatch(/^100755 blob \w+\tscripts\/ci\/update-gitops\.sh$/m);
    expect(tree).toMatch(/^100644 blob \w+\t\.github\/workflows\/ci\.yaml$/m);

    // The GitOps repository: a branch to merge, main untouched.
    expect(branches(gitops).sort()).toEqual([
      'fleetdeck/add-payments-gateway',
      'main',
    ]);
    expect(
      show(
        gitops,
        'fleetdeck/add-payments-gateway',
        'argocd/payments-gateway/dev.yaml',
      ),
    ).toContain('name: payments-gateway-dev');
    expect(
      show(gitops, 'main', 'argocd/payments-gateway/dev.yaml'),
    ).toBeUndefined();

    // The catalog: the new Component with its owner and its clusters.
    const component = await entity('component/default/payments-gateway');
    expect(component.spec).toMatchObject({
      owner: 'group:default/payments',
      system: 'system:default/payments-platform',
      dependsOn: ['cluster:default/kafka-prod-01'],
    });
    expect(component.relations).toEqual(
      expect.arrayContaining([
        { type: 'ownedBy', targetRef: 'group:default/payments' },
        { type: 'dependsOn', targetRef: 'cluster:default/kafka-prod-01' },
      ]),
    );
    expect(component.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location': `url:file://${repo}/-/blob/main/catalog-info.yaml`,
      'backstage.io/source-location': `url:file://${repo}/-/tree/main/`,
    });
  });

  it("runs the generated pipeline's GitOps update and deployment report", async () => {
    // Merge the registration branch, as a reviewer would.
    const work = mkdtempSync(join(tmpdir(), 'fleetdeck-gitops-'));
    git(['clone', '--quiet', gitops, work]);
    git(['merge', '--quiet', 'origin/fleetdeck/add-payments-gateway'], work);
    git(['push', '--quiet', 'origin', 'main'], work);

    const service = mkdtempSync(join(tmpdir(), 'fleetdeck-service-'));
    git(['clone', '--quiet', join(gitDir, 'payments-gateway.git'), service]);
    const sha = git(['rev-parse', 'HEAD'], service);
    const update = spawnSync('scripts/ci/update-gitops.sh', ['dev', sha], {
      cwd: service,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@x' },
    });
    expect(update.stderr).toBe('');
    expect(update.status).toBe(0);
    expect(
      yaml.parse(show(gitops, 'main', 'apps/payments-gateway/values-dev.yaml')!)
        .image.tag,
    ).toBe(sha);
    expect(
      yaml.parse(
        show(gitops, 'main', 'apps/payments-gateway/values-staging.yaml')!,
      ).image.tag,
    ).toBe('latest');

    const { server: api, requests } = captureServer();
    await new Promise<void>(r => api.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (api.address() as any).port;
      // Asynchronously: the capture server runs in this process.
      const report = await runAsync(
        'node',
        ['scripts/ci/report-deployment.mjs', 'dev'],
        {
          cwd: service,
          env: {
            ...process.env,
            FLEETDECK_TOKEN: 'pipeline-secret-token',
            FLEETDECK_DEPLOYMENTS_URL: `http://127.0.0.1:${port}/api/deployments/v1/deployments`,
            GITHUB_SHA: sha,
            GITHUB_ACTOR: 'emma.dubois',
            GITHUB_SERVER_URL: 'https://github.com',
            GITHUB_REPOSITORY: 'fleetdeck-bank/payments-gateway',
            GITHUB_RUN_ID: '42',
          },
        },
      );
      expect(report.status).toBe(0);
      expect(`${report.stdout}${report.stderr}`).not.toContain(
        'pipeline-secret-token',
      );
      expect(requests).toHaveLength(1);
      expect(requests[0].url).toBe('/api/deployments/v1/deployments');
      expect(requests[0].headers.authorization).toBe(
        'Bearer pipeline-secret-token',
      );
      expect(requests[0].body).toEqual({
        entityRef: 'component:default/payments-gateway',
        environment: 'dev',
        commitSha: sha,
        version: '0.1.0',
        deployedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        deployedBy: 'emma.dubois',
        pipelineUrl:
          'https://github.com/fleetdeck-bank/payments-gateway/actions/runs/42',
      });
    } finally {
      api.close();
      rmSync(work, { recursive: true, force: true });
      rmSync(service, { recursive: true, force: true });
    }
  });

  it('refuses a name that is taken, writing nothing', async () => {
    const before = branches(gitops);
    const result = await run(values('payments-api'));
    expect(result.status).toBe('failed');
    expect(result.log).toContain(
      'The name payments-api is taken: component:default/payments-api is already in the catalog',
    );
    expect(existsSync(join(gitDir, 'payments-api.git'))).toBe(false);
    expect(branches(gitops)).toEqual(before);
  });

  it('stops on a conflicting change in the GitOps repository before publishing anything', async () => {
    const work = mkdtempSync(join(tmpdir(), 'fleetdeck-gitops-'));
    git(['clone', '--quiet', gitops, work]);
    execFileSync('mkdir', ['-p', join(work, 'apps/ledger-sync')]);
    writeFileSync(
      join(work, 'apps/ledger-sync/values-dev.yaml'),
      'replicaCount: 9\n',
    );
    git(['add', '--all'], work);
    git(['commit', '--quiet', '-m', 'someone else got there first'], work);
    git(['push', '--quiet', 'origin', 'main'], work);
    rmSync(work, { recursive: true, force: true });
    const before = branches(gitops);

    const result = await run(values('ledger-sync'));
    expect(result.status).toBe('failed');
    expect(result.log).toContain(
      'already has different content on main at apps/ledger-sync/values-dev.yaml; nothing was pushed',
    );
    expect(existsSync(join(gitDir, 'ledger-sync.git'))).toBe(false);
    expect(branches(gitops)).toEqual(before);
  });

  it('reports a push the remote rejects, leaving the remote and the GitOps repository untouched', async () => {
    const repo = bareRepo(join(gitDir, 'audit-trail.git'));
    const hook = join(repo, 'hooks/pre-receive');
    writeFileSync(
      hook,
      '#!/bin/sh\necho "pushes need a signed-off ticket"\nexit 1\n',
    );
    chmodSync(hook, 0o755);
    const before = branches(gitops);

    const result = await run(values('audit-trail'));
    expect(result.status).toBe('failed');
    expect(result.log).toContain(
      `The git remote file://${repo} rejected the push; nothing was written there`,
    );
    expect(result.log).toContain('pushes need a signed-off ticket');
    expect(branches(repo)).toEqual([]);
    expect(branches(gitops)).toEqual(before);
    const catalog = await request(server)
      .get('/api/catalog/entities/by-name/component/default/audit-trail')
      .set('Authorization', guest);
    expect(catalog.status).toBe(404);
  });
});
