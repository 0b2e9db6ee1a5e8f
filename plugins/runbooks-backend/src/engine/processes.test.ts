import { FakeAwxServer } from '@fleetdeck/backend-test-utils';
import { cluster, runbook } from './testUtils';
import {
  JournalEntry,
  missingPostgres,
  postgresConnectionString,
  ProcessHarness,
} from '../__testUtils__/processHarness';

jest.setTimeout(240_000);

async function createRun(
  harness: ProcessHarness,
  targets: number,
  spec: Parameters<typeof runbook>[1],
) {
  const rb = runbook('crash', spec);
  return harness.store.createRun({
    runbookRef: 'runbook:default/crash',
    runbook: rb,
    parameters: {},
    requestedBy: 'user:default/amelie',
    dryRun: false,
    concurrency: rb.spec.concurrency!,
    targets: Array.from({ length: targets }, (_, i) => ({
      entityRef: `cluster:default/kafka-${i}`,
      entity: cluster(`kafka-${i}`),
      needsApproval: false,
    })),
  });
}

const countBy = (entries: JournalEntry[], type: string) => {
  const counts = new Map<string, number>();
  for (const e of entries)
    if (e.type === type) counts.set(e.key!, (counts.get(e.key!) ?? 0) + 1);
  return counts;
};

const clients: ('better-sqlite3' | 'pg')[] = ['better-sqlite3'];
if (postgresConnectionString()) clients.push('pg');

describe.each(clients)('real backend processes on %s', client => {
  let harness: ProcessHarness;
  beforeEach(async () => {
    harness = await ProcessHarness.create(client);
  });
  afterEach(() => harness?.close());

  it('crash test: kill -9 mid-run of 200 targets, restart, every target ends once and no completed step runs again', async () => {
    const first = await harness.start({ name: 'first', stepMs: 40 });
    const runId = await createRun(harness, 200, {
      concurrency: 10,
      steps: [
        { id: 'one', executor: 'count' },
        { id: 'two', executor: 'count' },
      ],
    });
    await harness.waitFor(
      async () => (await harness.store.countTargets(runId)).succeeded >= 50,
      60_000,
    );
    first.kill('SIGKILL');
    await new Promise(r => first.once('exit', r));

    const before = await harness.store.countTargets(runId);
    expect(before.running).toBeGreaterThan(0); // it really died mid-run
    const completedBeforeKill = new Set(
      (
        await harness
          .knex('runbooks_targets')
          .where('run_id', runId)
          .whereNotNull('steps')
          .select('id', 'steps')
      ).flatMap(row =>
        (JSON.parse(row.steps) as ({ id: string; status: string } | null)[])
          .filter(s => s?.status === 'succeeded')
          .map(s => `${runId}/${row.id}/${s!.id}`),
      ),
    );

    const second = await harness.start({ name: 'second', stepMs: 40 });
    await harness.waitFor(
      async () =>
        (await harness.store.getRunSummary(runId)).status !== 'running',
      120_000,
    );

    expect((await harness.store.getRunSummary(runId)).status).toBe('succeeded');
    expect((await harness.store.countTargets(runId)).succeeded).toBe(200);

    // every target reached its terminal state exactly once
    const terminal = await harness
      .knex('runbooks_logs')
      .where('run_id', runId)
      .andWhere('message', 'like', 'Target %')
      .groupBy('target_id')
      .select('target_id')
      .count({ count: '*' });
    expect(terminal).toHaveLength(200);
    expect(terminal.every(r => Number(r.count) === 1)).toBe(true);

    const entries = harness.entries();
    // no step that was recorded complete ran again in the new process
    const rerun = entries.filter(
      e =>
        e.type === 'start' &&
        e.pid === second.pid &&
        completedBeforeKill.has(e.key!),
    );
    expect(rerun).toEqual([]);
    // and every step's effect happened exactly once (steps cut off by the kill
    // ran again with the same idempotency key and did not repeat the effect)
    const effects = countBy(entries, 'effect');
    expect(effects.size).toBe(400);
    expect([...effects.values()].every(n => n === 1)).toBe(true);
    const reclaimed = await harness
      .knex('runbooks_targets')
      .where('run_id', runId)
      .andWhere('claims', '>', 1)
      .count({ count: '*' });
    expect(Number(reclaimed[0].count)).toBeGreaterThan(0);
    expect(
      entries.filter(e => e.type === 'start' && e.pid === second.pid).length,
    ).toBeLessThan(400 - completedBeforeKill.size + 20);
  });

  it('kill -9 while AAP jobs run: the restarted backend re-attaches to each job, never launches a second', async () => {
    const awx = new FakeAwxServer({
      token: 'aap-token-for-the-crash-test',
      templates: [
        {
          id: 42,
          name: 'Kafka rolling patch',
          askLimitOnLaunch: true,
          askVariablesOnLaunch: true,
          tasks: ['drain broker', 'patch', 'rejoin'],
          // long enough to be running when the first backend dies
          durationMs: 6_000,
          artifacts: { patched: true },
        },
      ],
    });
    await awx.start();
    try {
      const aap = {
        aap: {
          baseUrl: awx.url,
          token: 'aap-token-for-the-crash-test',
          pollIntervalMs: 200,
        },
      };
      const first = await harness.start({
        name: 'first',
        stepMs: 0,
        runbooks: aap,
      });
      const targets = 4;
      const runId = await createRun(harness, targets, {
        concurrency: targets,
        steps: [
          {
            id: 'patch',
            executor: 'aap',
            input: {
              jobTemplate: 'Kafka rolling patch',
              extraVars: { version: '3.7.1' },
            },
          },
        ],
      });
      // every job launched and its id stored with the step
      await harness.waitFor(async () => {
        const rows = await harness
          .knex('runbooks_targets')
          .where('run_id', runId)
          .select('steps');
        return (
          rows.filter(r => r.steps?.includes('aap.job')).length === targets
        );
      }, 60_000);
      expect(awx.launches).toHaveLength(targets);
      first.kill('SIGKILL');
      await new Promise(r => first.once('exit', r));
      expect((await harness.store.countTargets(runId)).running).toBe(targets);

      await harness.start({ name: 'second', stepMs: 0, runbooks: aap });
      await harness.waitFor(
        async () =>
          (await harness.store.getRunSummary(runId)).status !== 'running',
        120_000,
      );
      expect((await harness.store.getRunSummary(runId)).status).toBe(
        'succeeded',
      );
      // one launch per target, and each target ended with its own job
      expect(awx.launches).toHaveLength(targets);
      const { items } = await harness.store.listTargets({
        runId,
        offset: 0,
        limit: targets,
      });
      const jobs = items.map(t => t.steps[0].output?.jobId);
      expect(new Set(jobs)).toEqual(new Set(awx.launches.map(l => l.jobId)));
      expect(items.every(t => t.claims === 2)).toBe(true);
      const reattached = await harness
        .knex('runbooks_logs')
        .where('run_id', runId)
        .andWhere('message', 'like', 'Re-attached to AAP job%')
        .count({ count: '*' });
      expect(Number(reattached[0].count)).toBe(targets);
    } finally {
      await awx.stop();
    }
  });
});

// without PostgreSQL: a failure in CI, a skip with a message on a workstation
const missing = missingPostgres();
if (missing?.fail) {
  describe('two backend processes on one PostgreSQL database', () => {
    // eslint-disable-next-line jest/expect-expect
    it('runs where CI provides PostgreSQL', () => {
      throw new Error(missing.message);
    });
  });
} else if (missing) {
  // eslint-disable-next-line no-console
  console.warn(
    `two backend processes on one PostgreSQL database: ${missing.message}`,
  );
}
const onPostgres = missing ? describe.skip : describe;

onPostgres('two backend processes on one PostgreSQL database', () => {
  let harness: ProcessHarness;
  beforeAll(async () => {
    harness = await ProcessHarness.create('pg');
  });
  afterAll(() => harness?.close());

  it('run 1,000 targets with 0 double claims and never more than the concurrency limit at once', async () => {
    // One after the other: two backends creating Backstage's own tables
    // (core auth's knex migrations) on a fresh database at the same moment
    // can collide in PostgreSQL's catalog (pg_type_typname_nsp_index). Both
    // are up before the run exists, so they still share it from the start.
    const a = await harness.start({ name: 'a', stepMs: 25 });
    const b = await harness.start({ name: 'b', stepMs: 25 });
    const runId = await createRun(harness, 1000, {
      concurrency: 20,
      steps: [{ id: 'work', executor: 'count' }],
    });
    await harness.waitFor(
      async () =>
        (await harness.store.getRunSummary(runId)).status !== 'running',
      180_000,
    );
    expect((await harness.store.getRunSummary(runId)).status).toBe('succeeded');

    const entries = harness.entries().filter(e => e.key?.startsWith(runId));
    const starts = countBy(entries, 'start');
    expect(starts.size).toBe(1000);
    const doubles = [...starts.entries()].filter(([, n]) => n > 1);
    expect(doubles).toEqual([]);
    const claims = await harness
      .knex('runbooks_targets')
      .where('run_id', runId)
      .andWhere('claims', '!=', 1)
      .count({ count: '*' });
    expect(Number(claims[0].count)).toBe(0);

    // both processes worked
    const byPid = countBy(
      entries.map(e => ({ ...e, key: String(e.pid) })),
      'start',
    );
    expect(byPid.get(String(a.pid))).toBeGreaterThan(100);
    expect(byPid.get(String(b.pid))).toBeGreaterThan(100);

    // overlaps: the most executions in flight at any instant, across both processes
    const events = entries
      .filter(e => e.type === 'start' || e.type === 'end')
      .map(e => ({ at: e.at!, delta: e.type === 'start' ? 1 : -1 }))
      .sort((x, y) => x.at - y.at || x.delta - y.delta);
    let inFlight = 0;
    let maxInFlight = 0;
    for (const e of events) {
      inFlight += e.delta;
      maxInFlight = Math.max(maxInFlight, inFlight);
    }
    expect(maxInFlight).toBeLessThanOrEqual(20);
    expect(maxInFlight).toBeGreaterThanOrEqual(15); // the limit was actually used
  });
});
