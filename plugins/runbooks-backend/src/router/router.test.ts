import { TestDatabases } from '@backstage/backend-test-utils';
import { RunbookExecutor } from '@fleetdeck/plugin-runbooks-node';
import request from 'supertest';
import { Knex } from 'knex';
import { startRunbooksTestBackend } from '../__testUtils__/testBackend';
import { entitiesYaml } from '../__testUtils__/fixtures';

jest.setTimeout(120_000);

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('runbooks API on %s', databaseId => {
  let server: any;
  let as: (user: string) => string;
  let stop: () => Promise<void>;
  let knex: Knex;
  let auditEvents: Awaited<
    ReturnType<typeof startRunbooksTestBackend>
  >['auditEvents'];
  const executions: string[] = [];
  const retried = new Set<string>();

  const testExecutor: RunbookExecutor = {
    id: 'test',
    async execute(ctx) {
      executions.push(`${ctx.target.metadata.name}:${ctx.dryRun}`);
      if (
        ctx.parameters.version === '0.0.1' &&
        !retried.has(ctx.target.metadata.name)
      ) {
        retried.add(ctx.target.metadata.name);
        throw new Error(
          `broker on ${ctx.target.metadata.name} did not come back`,
        );
      }
      ctx.logger.info(String(ctx.input.message));
      ctx.logger.info(`token is ${ctx.parameters.token}`);
      return { output: { patched: ctx.target.metadata.name } };
    },
  };

  beforeAll(async () => {
    const backend = await startRunbooksTestBackend({
      databases,
      databaseId,
      entitiesYaml,
      executors: [testExecutor],
      waitFor: [
        'cluster:default/kafka-prod-01',
        'cluster:default/mongo-staging-01',
        'runbook:default/kafka-patch',
      ],
    });
    ({ server, as, stop, auditEvents, knex } = backend);
  });
  afterAll(() => stop?.());

  const start = (user: string, body: object) =>
    request(server)
      .post('/api/runbooks/runs')
      .set('Authorization', as(user))
      .send(body);

  async function waitForRun(runId: string, until: (run: any) => boolean) {
    for (let i = 0; i < 200; i++) {
      const res = await request(server)
        .get(`/api/runbooks/runs/${runId}`)
        .set('Authorization', as('user:default/amelie'));
      if (until(res.body)) return res.body;
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`run ${runId} never got there`);
  }

  it('lists the runbooks that apply to an entity', async () => {
    const kafka = await request(server)
      .get('/api/runbooks/runbooks?entityRef=cluster:default/kafka-prod-01')
      .set('Authorization', as('user:default/amelie'));
    expect(kafka.status).toBe(200);
    expect(kafka.body.items.map((r: any) => r.entityRef)).toEqual([
      'runbook:default/kafka-patch',
    ]);
    // the runbook says `approvers: [sre]`; clients get the full ref
    expect(kafka.body.items[0].approval.approvers).toEqual([
      'group:default/sre',
    ]);
    const mongo = await request(server)
      .get('/api/runbooks/runbooks?entityRef=cluster:default/mongo-staging-01')
      .set('Authorization', as('user:default/amelie'));
    expect(mongo.body.items).toEqual([]);
  });

  it('refuses bad input with 400 and the reason', async () => {
    const user = 'user:default/amelie';
    const cases: [object, RegExp][] = [
      [
        {
          runbookRef: 'runbook:default/nope',
          targets: ['cluster:default/kafka-staging-01'],
          parameters: { version: '1.2.3' },
        },
        /No runbook/,
      ],
      [
        {
          runbookRef: 'kafka-patch',
          targets: ['cluster:default/ghost'],
          parameters: { version: '1.2.3' },
        },
        /Unknown targets: cluster:default\/ghost/,
      ],
      [
        {
          runbookRef: 'kafka-patch',
          targets: ['cluster:default/mongo-staging-01'],
          parameters: { version: '1.2.3' },
        },
        /outside the runbook's filter.*spec.engine is mongodb/,
      ],
      [
        {
          runbookRef: 'kafka-patch',
          targets: ['cluster:default/kafka-staging-01'],
          parameters: { version: '1.2; rm -rf /' },
        },
        /Invalid parameters: parameters\/version must match pattern/,
      ],
      [
        {
          runbookRef: 'kafka-patch',
          targets: ['cluster:default/kafka-staging-01'],
        },
        /must have required property 'version'/,
      ],
      [{ runbookRef: 'kafka-patch', targets: 'all' }, /targets/],
    ];
    for (const [body, message] of cases) {
      const res = await start(user, body);
      expect([400, 404]).toContain(res.status);
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('lets an owner start a run and denies a non-owner with 403', async () => {
    const denied = await start('user:default/lucas', {
      runbookRef: 'runbook:default/kafka-patch',
      targets: ['cluster:default/kafka-staging-01'],
      parameters: { version: '3.7.1' },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(
      /may not run .* on cluster:default\/kafka-staging-01/,
    );

    const res = await start('user:default/amelie', {
      runbookRef: 'runbook:default/kafka-patch',
      targets: ['cluster:default/kafka-staging-01'],
      parameters: { version: '3.7.1', token: 'tok-SECRET-123456' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      requestedBy: 'user:default/amelie',
      total: 1,
      parameters: { version: '3.7.1', token: '***' },
    });
    const run = await waitForRun(res.body.id, r => r.status === 'succeeded');
    expect(run.counts.succeeded).toBe(1);

    const targets = await request(server)
      .get(`/api/runbooks/runs/${run.id}/targets`)
      .set('Authorization', as('user:default/amelie'));
    expect(targets.body.totalCount).toBe(1);
    expect(targets.body.items[0]).toMatchObject({
      entityRef: 'cluster:default/kafka-staging-01',
      status: 'succeeded',
    });
    expect(targets.body.items[0].steps[0]).toMatchObject({
      stepId: 'patch',
      status: 'succeeded',
      output: { patched: 'kafka-staging-01' },
    });

    const logs = await request(server)
      .get(`/api/runbooks/runs/${run.id}/logs?limit=100`)
      .set('Authorization', as('user:default/amelie'));
    const messages = logs.body.items.map((l: any) => l.message);
    expect(messages).toContain('patching kafka-staging-01 to 3.7.1');
    expect(messages).toContain('token is ***');
    expect(
      JSON.stringify([logs.body, targets.body, auditEvents]),
    ).not.toContain('tok-SECRET-123456');

    const page = await request(server)
      .get(`/api/runbooks/runs/${run.id}/logs?after=${logs.body.nextCursor}`)
      .set('Authorization', as('user:default/amelie'));
    expect(page.body.items).toEqual([]);

    const started = auditEvents.filter(e => e.eventId === 'run-start');
    expect(
      started.find(
        e => e.status === 'failed' && e.meta.actor === 'user:default/lucas',
      ),
    ).toBeDefined();
    expect(
      started.find(e => e.status === 'succeeded' && e.meta.runId === run.id),
    ).toBeDefined();
  });

  it('streams the run as server-sent events', async () => {
    const res = await start('user:default/amelie', {
      runbookRef: 'runbook:default/kafka-patch',
      targets: ['cluster:default/kafka-staging-01'],
      parameters: { version: '3.7.2' },
      dryRun: true,
    });
    const stream = await request(server)
      .get(`/api/runbooks/runs/${res.body.id}/stream`)
      .set('Authorization', as('user:default/amelie'))
      .buffer(true)
      .parse((response, callback) => {
        let text = '';
        response.on('data', (c: Buffer) => (text += c.toString()));
        response.on('end', () => callback(null, text));
      });
    expect(stream.headers['content-type']).toMatch(/text\/event-stream/);
    expect(stream.body).toContain('event: log');
    expect(stream.body).toContain('patching kafka-staging-01 to 3.7.2');
    expect(stream.body).toMatch(/event: run\ndata: .*"status":"succeeded"/);
    expect(executions).toContain('kafka-staging-01:true');
  });

  it("checks the query for a run's own log lines", async () => {
    const res = await start('user:default/amelie', {
      runbookRef: 'runbook:default/kafka-patch',
      targets: ['cluster:default/kafka-staging-01'],
      parameters: { version: '3.7.3' },
      dryRun: true,
    });
    const logs = (query: string) =>
      request(server)
        .get(`/api/runbooks/runs/${res.body.id}/logs?${query}`)
        .set('Authorization', as('user:default/amelie'));
    const both = await logs('scope=run&targetId=t1');
    expect(both.status).toBe(400);
    expect(both.body.error.message).toContain('drop targetId');
    expect((await logs('scope=everything')).status).toBe(400);
    // the run's own lines only: none of the target's
    await knex('runbooks_logs').insert({
      run_id: res.body.id,
      level: 'warn',
      message: 'a note about the run',
      created_at: Date.now(),
    });
    const run = await logs('scope=run');
    expect(run.status).toBe(200);
    expect(run.body.items.map((l: { message: string }) => l.message)).toEqual([
      'a note about the run',
    ]);
    // without a scope, the target's lines too (once the dry run has written them)
    await waitForRun(res.body.id, r => r.status === 'succeeded');
    const all = await logs('limit=500');
    expect(all.body.items.map((l: { message: string }) => l.message)).toEqual(
      expect.arrayContaining([
        'a note about the run',
        expect.stringContaining('kafka-staging-01'),
      ]),
    );
  });

  it('holds production targets for approval: not by the requester, yes by an approver', async () => {
    const res = await start('user:default/amelie', {
      runbookRef: 'runbook:default/kafka-patch',
      targets: [
        'cluster:default/kafka-staging-01',
        'cluster:default/kafka-prod-01',
      ],
      parameters: { version: '3.7.1' },
    });
    expect(res.status).toBe(201);
    const runId = res.body.id;
    const waiting = await waitForRun(
      runId,
      r => r.status === 'awaiting_approval',
    );
    expect(waiting.counts).toMatchObject({
      succeeded: 1,
      awaiting_approval: 1,
    });
    expect(executions.filter(e => e.startsWith('kafka-prod-01'))).toEqual([]);

    const bySelf = await request(server)
      .post(`/api/runbooks/runs/${runId}/approve`)
      .set('Authorization', as('user:default/amelie'))
      .send({});
    expect(bySelf.status).toBe(403);
    expect(bySelf.body.error.message).toMatch(/requester/);
    const byTeammate = await request(server)
      .post(`/api/runbooks/runs/${runId}/approve`)
      .set('Authorization', as('user:default/jonas'))
      .send({});
    expect(byTeammate.status).toBe(403);
    expect(byTeammate.body.error.message).toMatch(/group:default\/sre/);

    const approved = await request(server)
      .post(`/api/runbooks/runs/${runId}/approve`)
      .set('Authorization', as('user:default/hannah'))
      .send({ comment: 'change CHG-1234' });
    expect(approved.status).toBe(200);
    const done = await waitForRun(runId, r => r.status === 'succeeded');
    expect(done.counts.succeeded).toBe(2);
    const prod = await request(server)
      .get(`/api/runbooks/runs/${runId}/targets?status=succeeded`)
      .set('Authorization', as('user:default/amelie'));
    expect(
      prod.body.items.find(
        (t: any) => t.entityRef === 'cluster:default/kafka-prod-01',
      ),
    ).toMatchObject({
      decidedBy: 'user:default/hannah',
      decisionComment: 'change CHG-1234',
    });

    const approvals = auditEvents.filter(
      e => e.eventId === 'run-approve' && e.meta.runId === runId,
    );
    expect(
      approvals.filter(e => e.status === 'failed').map(e => e.meta.actor),
    ).toEqual(['user:default/amelie', 'user:default/jonas']);
    expect(approvals.find(e => e.status === 'succeeded')).toMatchObject({
      meta: {
        actor: 'user:default/hannah',
        targets: ['cluster:default/kafka-prod-01'],
      },
    });
  });

  it('rejects, cancels and retries failed targets', async () => {
    const res = await start('user:default/amelie', {
      runbookRef: 'runbook:default/kafka-patch',
      targets: ['cluster:default/kafka-prod-01'],
      parameters: { version: '3.7.1' },
    });
    const runId = res.body.id;
    const rejected = await request(server)
      .post(`/api/runbooks/runs/${runId}/reject`)
      .set('Authorization', as('user:default/hannah'))
      .send({ comment: 'not now' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'failed',
      counts: { rejected: 1 },
    });
    expect(
      auditEvents.find(
        e =>
          e.eventId === 'run-reject' &&
          e.status === 'succeeded' &&
          e.meta.runId === runId,
      ),
    ).toBeDefined();

    const cancelEnded = await request(server)
      .post(`/api/runbooks/runs/${runId}/cancel`)
      .set('Authorization', as('user:default/amelie'));
    expect(cancelEnded.status).toBe(409);

    const noFailed = await request(server)
      .post(`/api/runbooks/runs/${runId}/retry`)
      .set('Authorization', as('user:default/amelie'));
    expect(noFailed.status).toBe(409);

    const waitingRun = await start('user:default/amelie', {
      runbookRef: 'runbook:default/kafka-patch',
      targets: ['cluster:default/kafka-prod-01'],
      parameters: { version: '3.7.1' },
    });
    const byOther = await request(server)
      .post(`/api/runbooks/runs/${waitingRun.body.id}/cancel`)
      .set('Authorization', as('user:default/lucas'));
    expect(byOther.status).toBe(403);
    const cancelled = await request(server)
      .post(`/api/runbooks/runs/${waitingRun.body.id}/cancel`)
      .set('Authorization', as('user:default/amelie'));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      counts: { cancelled: 1 },
    });
  });

  it('retries only the failed targets in a new run with the same parameters', async () => {
    const res = await start('user:default/amelie', {
      runbookRef: 'runbook:default/kafka-patch',
      targets: ['cluster:default/kafka-staging-01'],
      parameters: { version: '0.0.1' },
    });
    const failed = await waitForRun(res.body.id, r => r.status === 'failed');
    expect(failed.counts.failed).toBe(1);
    const target = await request(server)
      .get(`/api/runbooks/runs/${failed.id}/targets?status=failed`)
      .set('Authorization', as('user:default/amelie'));
    expect(target.body.items[0].error).toBe(
      'Step patch failed: broker on kafka-staging-01 did not come back',
    );

    const retry = await request(server)
      .post(`/api/runbooks/runs/${failed.id}/retry`)
      .set('Authorization', as('user:default/amelie'));
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({
      retryOf: failed.id,
      total: 1,
      parameters: { version: '0.0.1' },
    });
    const done = await waitForRun(retry.body.id, r => r.status === 'succeeded');
    expect(done.counts.succeeded).toBe(1);
    expect(
      auditEvents.find(
        e =>
          e.eventId === 'run-retry' &&
          e.status === 'succeeded' &&
          e.meta.runId === failed.id,
      ),
    ).toMatchObject({
      meta: {
        newRunId: retry.body.id,
        targets: ['cluster:default/kafka-staging-01'],
      },
    });
  });

  it('returns 404 for an unknown run', async () => {
    const res = await request(server)
      .get('/api/runbooks/runs/00000000-0000-0000-0000-000000000000')
      .set('Authorization', as('user:default/amelie'));
    expect(res.status).toBe(404);
  });
});
