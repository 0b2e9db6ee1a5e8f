import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mkdtempSync, readdirSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import request from 'supertest';
import { deploymentsPlugin } from './plugin';
import { component, recordingAuditor } from './testing/fixtures';
import { TestRepo } from './testing/TestRepo';

jest.setTimeout(60_000);

const PIPELINE_TOKEN = 'pipeline-token-0123456789abcdef0123';
const READER_TOKEN = 'reader-token-0123456789abcdef012345';

describe('deployments ingestion API', () => {
  const root = mkdtempSync(join(tmpdir(), 'fleetdeck-roots-'));
  const repo = new TestRepo(join(root, 'payments-api'));
  const c1 = repo.commit('Initial commit');
  const c2 = repo.commit('PAY-140 accept SEPA orders (#21)', 'src/sepa.ts');
  const c3 = repo.commit('PAY-142 instant payments (#22)', 'src/instant.ts');
  // a repository the backend can read on disk, but outside the allowed roots
  const outside = new TestRepo();
  const o1 = outside.commit('INTERNAL-1 keys of the payment HSM');
  const o2 = outside.commit('INTERNAL-2 rotate the HSM keys', 'keys.txt');
  const hostile = {
    'outside-path': outside.dir,
    'outside-url': `file://${outside.dir}`,
    traversal: `../${basename(outside.dir)}`,
    'metadata-host': 'https://169.254.169.254/latest/meta-data.git',
  };
  const auditor = recordingAuditor();

  let server: any;
  beforeAll(async () => {
    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        authServiceFactory,
        httpAuthServiceFactory,
        permissionsServiceFactory,
        auditor.factory,
        catalogServiceMock.factory({
          entities: [
            component('payments-api', 'payments-api'),
            component('no-repo'),
            ...Object.entries(hostile).map(([name, repoPath]) =>
              component(name, repoPath),
            ),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token: PIPELINE_TOKEN, subject: 'ci-pipeline' },
                    accessRestrictions: [
                      {
                        plugin: 'deployments',
                        permission: 'deployments.deployment.create',
                      },
                    ],
                  },
                  {
                    type: 'static',
                    options: { token: READER_TOKEN, subject: 'dashboard' },
                    accessRestrictions: [
                      {
                        plugin: 'deployments',
                        permission: 'deployments.deployment.read',
                      },
                    ],
                  },
                ],
              },
            },
            deployments: {
              environments: ['dev', 'staging', 'production'],
              git: { allowedRoots: [root], cacheDir: join(root, '.mirrors') },
            },
          },
        }),
      ],
    });
    server = backend.server;
  });

  const post = (body: unknown, token: string | null = PIPELINE_TOKEN) => {
    const r = request(server).post('/api/deployments/v1/deployments');
    if (token) r.set('authorization', `Bearer ${token}`);
    return r.send(body as object);
  };
  const body = (over: object = {}) => ({
    entityRef: 'component:default/payments-api',
    environment: 'production',
    commitSha: c2,
    version: '1.4.0',
    deployedAt: '2026-03-01T10:00:00Z',
    deployedBy: 'release-bot',
    pipelineUrl: 'https://ci.fleetdeck.example/runs/1',
    ...over,
  });

  it('requires a token, and audits a rejected one', async () => {
    expect((await post(body(), null)).status).toBe(401);
    const bad = await post(body(), 'not-a-valid-token-0123456789abcdef');
    expect(bad.status).toBe(401);
    expect(auditor.events).toContainEqual(
      expect.objectContaining({
        eventId: 'deployment-record',
        status: 'failed',
        meta: expect.objectContaining({ reason: 'authentication failed' }),
      }),
    );
  });

  it('records a deployment, audited with the pipeline as actor', async () => {
    const res = await post(body());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      created: true,
      warnings: [],
      deployment: {
        entityRef: 'component:default/payments-api',
        environment: 'production',
        commitSha: c2,
        version: '1.4.0',
        deployedAt: '2026-03-01T10:00:00.000Z',
        deployedBy: 'release-bot',
        status: 'succeeded',
        source: 'api',
      },
    });
    expect(auditor.events).toContainEqual(
      expect.objectContaining({
        eventId: 'deployment-record',
        status: 'succeeded',
        actor: 'ci-pipeline',
      }),
    );
  });

  it('is idempotent on entity, environment, SHA and time', async () => {
    const again = await post(body({ deployedAt: '2026-03-01T11:00:00+01:00' }));
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    const history = await request(server)
      .get('/api/deployments/v1/entity/history')
      .query({
        entityRef: 'component:default/payments-api',
        environment: 'production',
      })
      .set('authorization', `Bearer ${READER_TOKEN}`);
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(1);
  });

  it('keeps history: a later deployment becomes current, the earlier stays', async () => {
    expect(
      (await post(body({ commitSha: c3, deployedAt: '2026-03-02T10:00:00Z' })))
        .status,
    ).toBe(201);
    // A rollback to the earlier commit is a new record, not an overwrite.
    expect(
      (await post(body({ commitSha: c2, deployedAt: '2026-03-03T10:00:00Z' })))
        .status,
    ).toBe(201);
    const history = await request(server)
      .get('/api/deployments/v1/entity/history')
      .query({
        entityRef: 'component:default/payments-api',
        environment: 'production',
      })
      .set('authorization', `Bearer ${READER_TOKEN}`);
    expect(
      history.body.items.map((d: any) => [d.commitSha, d.deployedAt]),
    ).toEqual([
      [c2, '2026-03-03T10:00:00.000Z'],
      [c3, '2026-03-02T10:00:00.000Z'],
      [c2, '2026-03-01T10:00:00.000Z'],
    ]);
  });

  it.each([
    ['a short SHA', { commitSha: 'abc1234' }, /commitSha/],
    ['a missing entityRef', { entityRef: undefined }, /entityRef/],
    ['an unknown field', { colour: 'blue' }, /colour/],
    ['a malformed time', { deployedAt: 'yesterday' }, /deployedAt/],
    [
      'an environment not configured',
      { environment: 'qa' },
      /Unknown environment 'qa'.*dev, staging, production/,
    ],
  ])('rejects %s with 400 and says why', async (_, over, message) => {
    const res = await post(body(over));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('answers 404 for an entity that is not in the catalog', async () => {
    const res = await post(body({ entityRef: 'component:default/ghost' }));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(
      /component:default\/ghost not found/,
    );
  });

  it('keeps a deployment of a SHA the repository lacks, with a warning', async () => {
    const ghost = 'e'.repeat(40);
    const res = await post(body({ environment: 'staging', commitSha: ghost }));
    expect(res.status).toBe(201);
    expect(res.body.warnings[0]).toMatch(
      new RegExp(`Commit ${ghost} was not found`),
    );
    expect(res.body.deployment.warning).toBe(res.body.warnings[0]);
    const diff = await request(server)
      .get('/api/deployments/v1/entity/diff')
      .query({
        entityRef: 'component:default/payments-api',
        base: 'production',
        head: 'staging',
      })
      .set('authorization', `Bearer ${READER_TOKEN}`);
    expect(diff.status).toBe(404);
    expect(diff.body.error.message).toMatch(`Commit ${ghost} not found`);
  });

  it('does not let a pipeline token read, nor a read token record', async () => {
    const read = await request(server)
      .get('/api/deployments/v1/entity/deployments')
      .query({ entityRef: 'component:default/payments-api' })
      .set('authorization', `Bearer ${PIPELINE_TOKEN}`);
    expect(read.status).toBe(403);
    expect((await post(body(), READER_TOKEN)).status).toBe(403);
  });

  it('serves the overview and the diff between environments', async () => {
    await post(
      body({
        environment: 'staging',
        commitSha: c3,
        deployedAt: '2026-03-04T10:00:00Z',
      }),
    );
    const overview = await request(server)
      .get('/api/deployments/v1/entity/deployments')
      .query({ entityRef: 'component:default/payments-api' })
      .set('authorization', `Bearer ${READER_TOKEN}`);
    expect(overview.status).toBe(200);
    expect(
      overview.body.environments.map((e: any) => [
        e.environment,
        e.current?.commitSha,
      ]),
    ).toEqual([
      ['dev', undefined],
      ['staging', c3],
      ['production', c2],
    ]);
    expect(overview.body.comparisons).toEqual([
      expect.objectContaining({
        head: 'staging',
        base: 'production',
        summary: expect.objectContaining({
          status: 'ahead',
          ahead: 1,
          behind: 0,
        }),
      }),
    ]);
    const diff = await request(server)
      .get('/api/deployments/v1/entity/diff')
      .query({
        entityRef: 'component:default/payments-api',
        base: 'production',
        head: 'staging',
      })
      .set('authorization', `Bearer ${READER_TOKEN}`);
    expect(diff.status).toBe(200);
    expect(diff.body.commits.map((c: any) => c.sha)).toEqual(
      repo.revList(`${c2}..${c3}`),
    );
    expect(diff.body.commits[0].references).toEqual([
      expect.objectContaining({ type: 'pull-request', key: '#22' }),
      expect.objectContaining({ type: 'ticket', key: 'PAY-142' }),
    ]);
    expect(diff.body.commits[0].files).toEqual([
      expect.objectContaining({ path: 'src/instant.ts', deletions: 0 }),
    ]);
    // what production already has is not listed as missing from it
    expect(diff.body.commits.map((c: any) => c.sha)).not.toContain(c1);
  });

  it('reads no repository outside the allowed roots and hosts (SSRF guard)', async () => {
    for (const name of Object.keys(hostile)) {
      const entityRef = `component:default/${name}`;
      // the pipeline's record is kept: it is the deployment, not the repository
      const dev = await post(
        body({ entityRef, environment: 'dev', commitSha: o1 }),
      );
      expect(dev.status).toBe(201);
      expect(dev.body.warnings.join(' ')).toMatch(
        /outside deployments.git.allowedRoots|not in deployments.git.allowedHosts|not found under any of deployments.git.allowedRoots/,
      );
      await post(body({ entityRef, environment: 'staging', commitSha: o2 }));
      const diff = await request(server)
        .get('/api/deployments/v1/entity/diff')
        .query({ entityRef, base: 'dev', head: 'staging' })
        .set('authorization', `Bearer ${READER_TOKEN}`);
      expect(diff.status).toBeGreaterThanOrEqual(400);
      expect(JSON.stringify(diff.body)).not.toMatch(/INTERNAL|HSM/);
    }
    // the only mirror the backend made is of the allowed repository
    expect(readdirSync(join(root, '.mirrors'))).toHaveLength(1);
  });

  it('says why a deployment has no diff when the entity names no repository', async () => {
    const res = await post(
      body({ entityRef: 'component:default/no-repo', environment: 'dev' }),
    );
    expect(res.status).toBe(201);
    expect(res.body.warnings[0]).toMatch(/neither a fleetdeck.io\/git-repo/);
  });
});
