import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  RunbookExecutor,
  RunbookStepError,
} from '@fleetdeck/plugin-runbooks-node';
import { DatabaseRunStore } from '../database/DatabaseRunStore';
import { claimTargets } from '../database/testUtils';
import { RunWorker } from './RunWorker';
import { cluster, runbook } from './testUtils';
import { SecretScopes } from '../trust/SecretScopes';
import { ConfigReader } from '@backstage/config';

jest.setTimeout(60_000);

const databases = TestDatabases.create();

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 25));
  }
}

function recordingExecutor(
  behaviour: (
    key: string,
    attempt: number,
    signal: AbortSignal,
  ) => Promise<void> = async () => {},
) {
  const calls: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const executor: RunbookExecutor = {
    id: 'test',
    async execute(ctx) {
      calls.push(ctx.idempotencyKey);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        ctx.logger.info(
          `working on ${ctx.target.metadata.name} with ${ctx.input.message}`,
        );
        await behaviour(ctx.idempotencyKey, ctx.attempt, ctx.signal);
        return { output: { target: ctx.target.metadata.name } };
      } finally {
        running--;
      }
    },
  };
  return { executor, calls, maxRunning: () => maxRunning };
}

describe.each(databases.eachSupportedId())('RunWorker on %s', databaseId => {
  let store: DatabaseRunStore;
  const workers: RunWorker[] = [];

  beforeAll(async () => {
    store = await DatabaseRunStore.fromKnex(await databases.init(databaseId));
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(w => w.stop()));
  });

  function worker(
    executor: RunbookExecutor,
    options: Partial<ConstructorParameters<typeof RunWorker>[0]> = {},
  ) {
    const w = new RunWorker({
      store,
      executors: new Map([[executor.id, executor]]),
      logger: mockServices.logger.mock(),
      workerId: `worker-${workers.length}`,
      pollIntervalMs: 20,
      heartbeatIntervalMs: 100,
      ...options,
    });
    workers.push(w);
    w.start();
    return w;
  }

  async function createRun(
    targets: number,
    spec: Parameters<typeof runbook>[1] = {},
    parameters = {},
  ) {
    const rb = runbook('rb', spec);
    return store.createRun({
      runbookRef: 'runbook:default/rb',
      runbook: rb,
      parameters,
      requestedBy: 'user:default/amelie.martin',
      dryRun: false,
      concurrency: rb.spec.concurrency ?? 5,
      targets: Array.from({ length: targets }, (_, i) => ({
        entityRef: `cluster:default/kafka-${i}`,
        entity: cluster(`kafka-${i}`),
        needsApproval: false,
      })),
    });
  }

  const finished = (runId: string) => async () =>
    (await store.getRunSummary(runId)).status !== 'running';

  it.each([1, 2])(
    'runs every step of every target once, within the concurrency limit of two workers (%i commits in flight)',
    async parallelCommits => {
      const rec = recordingExecutor(() => new Promise(r => setTimeout(r, 10)));
      const runId = await createRun(40, {
        concurrency: 3,
        steps: [
          {
            id: 'one',
            executor: 'test',
            input: { message: '${{ target.metadata.name }}' },
          },
          {
            id: 'two',
            executor: 'test',
            input: { message: '${{ steps.one.output.target }}' },
          },
        ],
      });
      worker(rec.executor, { parallelCommits });
      worker(rec.executor, { parallelCommits });
      await waitFor(finished(runId));
      expect((await store.getRunSummary(runId)).status).toBe('succeeded');
      expect(rec.calls).toHaveLength(80);
      expect(new Set(rec.calls).size).toBe(80);
      expect(rec.maxRunning()).toBeLessThanOrEqual(3);
      // the run's concurrency is split between the two: both did work
      const byWorker = await store
        .db('runbooks_targets')
        .where('run_id', runId)
        .groupBy('claimed_by')
        .select('claimed_by')
        .count({ count: '*' });
      expect(byWorker).toHaveLength(2);
      const { items } = await store.listTargets({
        runId,
        offset: 0,
        limit: 100,
      });
      expect(items.every(t => t.status === 'succeeded' && t.claims === 1)).toBe(
        true,
      );
      expect(items[0].steps.map(s => s.status)).toEqual([
        'succeeded',
        'succeeded',
      ]);
      const logs = await store.listLogs({
        runId,
        targetId: items[0].id,
        limit: 100,
      });
      expect(logs.items.map(l => l.message)).toContain(
        'working on kafka-0 with kafka-0',
      );
    },
  );

  it('takes over a target whose worker stopped heartbeating, without re-running completed steps', async () => {
    const rec = recordingExecutor();
    const runId = await createRun(1, {
      steps: [
        { id: 'one', executor: 'test' },
        { id: 'two', executor: 'test' },
      ],
    });
    // a worker that claims, completes step one, then dies
    const [claim] = await claimTargets(store, {
      workerId: 'dead',
      limit: 1,
      staleAfterMs: 60_000,
    });
    const stepOne = {
      id: 'one',
      attempts: 1,
      startedAt: Date.now(),
      finishedAt: Date.now(),
      status: 'succeeded' as const,
      output: { target: 'x' },
    };
    expect(
      (await store.commit([{ claim, steps: [stepOne], logs: [] }])).held,
    ).toEqual([true]);

    worker(rec.executor, { staleAfterMs: 300 });
    await waitFor(finished(runId));
    expect(rec.calls).toEqual([`${runId}/${claim.targetId}/two`]);
    // the dead worker's late writes are refused
    const late = await store.commit([
      {
        claim,
        steps: [stepOne, { ...stepOne, id: 'two', status: 'failed' }],
        finish: { status: 'failed', error: 'late' },
        logs: [],
      },
    ]);
    expect(late.held).toEqual([false]);
    const { items } = await store.listTargets({ runId, offset: 0, limit: 1 });
    expect(items[0]).toMatchObject({ status: 'succeeded', claims: 2 });
  });

  it('resumes a checkpointed attempt after a takeover instead of doing its work again', async () => {
    const launches: string[] = [];
    const seen: unknown[] = [];
    const executor: RunbookExecutor = {
      id: 'test',
      async execute(ctx) {
        const job = await ctx.checkpoint({
          key: 'job',
          fn: () => {
            launches.push(ctx.idempotencyKey);
            return { id: 'job-2' };
          },
        });
        seen.push({ job, attempt: ctx.attempt });
        return { output: { job } };
      },
    };
    const runId = await createRun(1, {
      steps: [{ id: 'one', executor: 'test' }],
      retries: { count: 2, backoff: '10ms' },
    });
    // a worker that launched job-1 in attempt 2, checkpointed it, then died
    const [claim] = await claimTargets(store, {
      workerId: 'dead',
      limit: 1,
      staleAfterMs: 60_000,
    });
    const running = {
      id: 'one',
      attempts: 2,
      startedAt: Date.now(),
      status: 'running' as const,
      checkpoints: { job: { id: 'job-1' } },
    };
    expect(
      (await store.commit([{ claim, steps: [running], logs: [] }])).held,
    ).toEqual([true]);

    worker(executor, { staleAfterMs: 300 });
    await waitFor(finished(runId));
    expect(launches).toEqual([]);
    expect(seen).toEqual([{ job: { id: 'job-1' }, attempt: 2 }]);
    const { items } = await store.listTargets({ runId, offset: 0, limit: 1 });
    expect(items[0]).toMatchObject({ status: 'succeeded', claims: 2 });
    expect(items[0].steps[0]).toMatchObject({
      attempts: 2,
      output: { job: { id: 'job-1' } },
    });
  });

  it('stores a checkpoint before the executor goes on, and starts a retry without it', async () => {
    const launches: number[] = [];
    let stored: unknown;
    const executor: RunbookExecutor = {
      id: 'test',
      async execute(ctx) {
        const job = await ctx.checkpoint({
          key: 'job',
          fn: async () => {
            launches.push(ctx.attempt);
            return `job-of-attempt-${ctx.attempt}`;
          },
        });
        if (ctx.attempt === 1) {
          const row = await store
            .db('runbooks_targets')
            .where('run_id', ctx.runId)
            .first('steps');
          stored = JSON.parse(row.steps)[0];
          throw new Error('job failed');
        }
        return { output: { job } };
      },
    };
    const runId = await createRun(1, {
      steps: [{ id: 'one', executor: 'test' }],
      retries: { count: 1, backoff: '10ms' },
    });
    worker(executor);
    await waitFor(finished(runId));
    expect(stored).toMatchObject({
      id: 'one',
      status: 'running',
      attempts: 1,
      checkpoints: { job: 'job-of-attempt-1' },
    });
    expect(launches).toEqual([1, 2]);
    const { items } = await store.listTargets({ runId, offset: 0, limit: 1 });
    expect(items[0].steps[0]).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      output: { job: 'job-of-attempt-2' },
    });
  });

  it('retries a failing step with backoff, then fails the target and the run', async () => {
    const rec = recordingExecutor(async (_key, attempt) => {
      if (attempt < 2) throw new Error(`flaky ${attempt}`);
    });
    const ok = await createRun(1, { retries: { count: 1, backoff: '50ms' } });
    worker(rec.executor);
    await waitFor(finished(ok));
    expect((await store.getRunSummary(ok)).status).toBe('succeeded');

    const never = recordingExecutor(async () => {
      throw new Error('broken');
    });
    await Promise.all(workers.splice(0).map(w => w.stop()));
    const bad = await createRun(1, { retries: { count: 2, backoff: '10ms' } });
    worker(never.executor);
    await waitFor(finished(bad));
    expect(never.calls).toHaveLength(3);
    const { items } = await store.listTargets({
      runId: bad,
      offset: 0,
      limit: 1,
    });
    expect(items[0]).toMatchObject({
      status: 'failed',
      error: 'Step work failed: broken',
    });
    expect(items[0].steps[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect((await store.getRunSummary(bad)).status).toBe('failed');
  });

  it('keeps the output of a step that fails with a RunbookStepError, and fails the target', async () => {
    const executor: RunbookExecutor = {
      id: 'test',
      async execute() {
        throw new RunbookStepError('db.example:443 expires in 3 days', {
          output: {
            certificates: [{ endpoint: 'db.example:443', daysLeft: 3 }],
          },
        });
      },
    };
    const runId = await createRun(1, {
      retries: { count: 1, backoff: '10ms' },
    });
    worker(executor);
    await waitFor(finished(runId));
    const { items } = await store.listTargets({ runId, offset: 0, limit: 1 });
    expect(items[0]).toMatchObject({
      status: 'failed',
      error: 'Step work failed: db.example:443 expires in 3 days',
    });
    expect(items[0].steps[0]).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: 'db.example:443 expires in 3 days',
      output: { certificates: [{ endpoint: 'db.example:443', daysLeft: 3 }] },
    });
    expect((await store.getRunSummary(runId)).status).toBe('failed');
  });

  it('fails a step that exceeds its timeout', async () => {
    const rec = recordingExecutor(
      (_k, _a, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
    );
    const runId = await createRun(1, { timeout: '200ms' });
    worker(rec.executor);
    await waitFor(finished(runId));
    const { items } = await store.listTargets({ runId, offset: 0, limit: 1 });
    expect(items[0].status).toBe('failed');
    expect(items[0].error).toMatch(/timed out after 200 ms/);
  });

  it('cancels pending targets and aborts running ones', async () => {
    const aborted: string[] = [];
    const rec = recordingExecutor(
      (key, _a, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted.push(key);
            reject(signal.reason);
          }),
        ),
    );
    const runId = await createRun(10, { concurrency: 2 });
    worker(rec.executor);
    await waitFor(async () => rec.calls.length === 2);
    expect(await store.cancelRun(runId)).toBe(true);
    await waitFor(async () => (await store.countTargets(runId)).running === 0);
    expect(aborted).toHaveLength(2);
    const counts = await store.countTargets(runId);
    expect(counts).toMatchObject({ cancelled: 10, succeeded: 0 });
    expect((await store.getRunSummary(runId)).status).toBe('cancelled');
  });

  it('redacts secrets from log lines, outputs and errors', async () => {
    const secret = 'Zx9-very-secret-token';
    const executor: RunbookExecutor = {
      id: 'test',
      async execute(ctx) {
        ctx.logger.info(
          `token=${ctx.input.token} b64=${Buffer.from(
            `admin:${ctx.input.token}`,
          ).toString('base64')}`,
        );
        ctx.logger.info(`param=${ctx.parameters.password}`);
        if (ctx.attempt === 1)
          return { output: { echoed: String(ctx.input.token) } };
        return undefined;
      },
    };
    const runId = await createRun(
      1,
      {
        parameters: {
          type: 'object',
          properties: { password: { type: 'string', format: 'password' } },
        },
        steps: [
          {
            id: 'work',
            executor: 'test',
            input: { token: '${{ secrets.apiToken }}' },
          },
        ],
      },
      { password: 'p4ssw0rd-from-the-form' },
    );
    worker(executor, {
      secrets: SecretScopes.fromConfig(
        new ConfigReader({
          runbooks: {
            secrets: {
              apiToken: { value: secret, owners: ['platform-kafka'] },
            },
          },
        }),
      ),
    });
    await waitFor(finished(runId));
    const logs = await store.listLogs({ runId, limit: 100 });
    const everything = JSON.stringify([
      logs,
      await store.listTargets({ runId, offset: 0, limit: 1 }),
    ]);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('p4ssw0rd-from-the-form');
    expect(everything).not.toContain(
      Buffer.from(`admin:${secret}`).toString('base64').slice(8, 20),
    );
    expect(everything).toContain('token=***');
  });
});
