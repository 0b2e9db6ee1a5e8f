import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { cluster, runbook } from '../engine/testUtils';
import { RunStore } from './RunStore';
import { claimTargets } from './testUtils';
import { commitPostgres } from './operations/commitPostgres';

const migrations = {
  directory: resolvePackagePath(
    '@fleetdeck/plugin-runbooks-backend',
    'migrations',
  ),
  tableName: 'runbooks_knex_migrations',
};

jest.setTimeout(60_000);

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())('RunStore on %s', databaseId => {
  it('accepts a run of 5,000 targets and pages through them', async () => {
    const store = await RunStore.fromKnex(await databases.init(databaseId));
    const runId = await store.createRun({
      runbookRef: 'runbook:default/big',
      runbook: runbook('big'),
      parameters: {},
      requestedBy: 'user:default/amelie',
      dryRun: true,
      concurrency: 50,
      targets: Array.from({ length: 5000 }, (_, i) => ({
        entityRef: `cluster:default/c-${i}`,
        entity: cluster(`c-${i}`),
        needsApproval: i % 10 === 0,
      })),
    });
    expect(await store.countTargets(runId)).toMatchObject({
      pending: 4500,
      awaiting_approval: 500,
    });
    const page = await store.listTargets({ runId, offset: 4900, limit: 500 });
    expect(page.totalCount).toBe(5000);
    expect(page.items).toHaveLength(100);
    expect(page.items[0].entityRef).toBe('cluster:default/c-4900');
    const waiting = await store.listTargets({
      runId,
      status: ['awaiting_approval'],
      offset: 0,
      limit: 10,
    });
    expect(waiting.totalCount).toBe(500);
    const summary = await store.getRunSummary(runId);
    expect(summary).toMatchObject({ total: 5000, status: 'running' });

    const first = await store.listRuns({ limit: 1 });
    expect(first.items.map(r => r.id)).toEqual([runId]);
    expect(first.nextCursor).toBeUndefined();
  });

  it("passes the slots of ended targets to the run's next targets in the same commit, and only those", async () => {
    const store = await RunStore.fromKnex(await databases.init(databaseId));
    const runId = await store.createRun({
      runbookRef: 'runbook:default/rb',
      runbook: runbook('rb'),
      parameters: {},
      requestedBy: 'user:default/amelie',
      dryRun: false,
      concurrency: 3,
      targets: Array.from({ length: 8 }, (_, i) => ({
        entityRef: `cluster:default/c-${i}`,
        entity: cluster(`c-${i}`),
        needsApproval: false,
      })),
    });
    const claimed = await claimTargets(store, {
      workerId: 'w1',
      limit: 10,
      staleAfterMs: 60_000,
    });
    expect(claimed.map(c => c.entityRef)).toEqual([
      'cluster:default/c-0',
      'cluster:default/c-1',
      'cluster:default/c-2',
    ]);
    const handOff = (max: number) => [
      { runId, max, concurrency: 3, dryRun: false, requestedBy: 'u' },
    ];
    const end = (c: (typeof claimed)[number], claimId = c.claimId) => ({
      claim: { runId, targetId: c.targetId, claimId },
      finish: { status: 'succeeded' as const },
      logs: [
        {
          runId,
          targetId: c.targetId,
          level: 'info' as const,
          message: 'done',
        },
      ],
    });

    // two ends, but this worker may pass on one slot only
    const first = await store.commit([end(claimed[0]), end(claimed[1])], {
      workerId: 'w1',
      limit: 5,
      staleAfterMs: 60_000,
      handOff: handOff(1),
    });
    expect(first.held).toEqual([true, true]);
    expect(first.claimed.map(c => c.entityRef)).toEqual([
      'cluster:default/c-3',
    ]);
    expect(first.claimed[0]).toMatchObject({
      runId,
      concurrency: 3,
      claims: 1,
      entity: { metadata: { name: 'c-3' } },
    });

    // an end whose claim was lost writes nothing and frees no slot
    const stale = await store.commit([end(claimed[2], 'another-claim')], {
      workerId: 'w1',
      limit: 5,
      staleAfterMs: 60_000,
      handOff: handOff(3),
    });
    expect(stale).toMatchObject({ held: [false], claimed: [] });

    // the worker's free slots cap the hand-off too
    const capped = await store.commit(
      [end(claimed[2]), end(first.claimed[0])],
      {
        workerId: 'w1',
        limit: 1,
        staleAfterMs: 60_000,
        handOff: handOff(3),
      },
    );
    expect(capped.held).toEqual([true, true]);
    expect(capped.claimed.map(c => c.entityRef)).toEqual([
      'cluster:default/c-4',
    ]);

    const counts = await store.countTargets(runId);
    expect(counts).toMatchObject({ succeeded: 4, running: 1, pending: 3 });
    const { items } = await store.listLogs({ runId, limit: 100 });
    // each held end stored its line and the engine's own; the lost one none
    expect(items.filter(l => l.message === 'done')).toHaveLength(4);
    expect(
      items.filter(l => l.message === 'Target succeeded').map(l => l.targetId),
    ).toEqual([
      claimed[0].targetId,
      claimed[1].targetId,
      claimed[2].targetId,
      first.claimed[0].targetId,
    ]);
  });

  it('keeps the step results of runs recorded before they moved into the target rows', async () => {
    const knex = await databases.init(databaseId);
    // the schema as the first release left it, with a half-done target
    await knex.migrate.up({ ...migrations, name: '20261121000000_init.js' });
    await knex('runbooks_runs').insert({
      id: 'run-1',
      runbook_ref: 'runbook:default/rb',
      runbook: JSON.stringify(
        runbook('rb', {
          steps: [
            { id: 'drain', executor: 'test' },
            { id: 'patch', executor: 'test' },
          ],
        }),
      ),
      parameters: '{}',
      requested_by: 'user:default/amelie',
      status: 'running',
      dry_run: false,
      concurrency: 5,
      created_at: 1_700_000_000_000,
    });
    await knex('runbooks_targets').insert({
      id: 'target-1',
      run_id: 'run-1',
      position: 0,
      entity_ref: 'cluster:default/kafka-1',
      entity: JSON.stringify(cluster('kafka-1')),
      status: 'pending',
      needs_approval: false,
      claims: 1,
    });
    await knex('runbooks_steps').insert({
      target_id: 'target-1',
      step_index: 0,
      step_id: 'drain',
      status: 'succeeded',
      attempts: 2,
      started_at: 1_700_000_001_000,
      finished_at: 1_700_000_002_000,
      output: JSON.stringify({ drained: 3 }),
    });

    const store = await RunStore.fromKnex(knex);
    const { items } = await store.listTargets({
      runId: 'run-1',
      offset: 0,
      limit: 10,
    });
    expect(items[0].steps).toEqual([
      expect.objectContaining({
        stepId: 'drain',
        status: 'succeeded',
        attempts: 2,
        output: { drained: 3 },
        finishedAt: new Date(1_700_000_002_000).toISOString(),
      }),
      expect.objectContaining({ stepId: 'patch', status: 'pending' }),
    ]);
    // a worker resuming the target skips the step that completed
    const [claim] = await claimTargets(store, {
      workerId: 'w',
      limit: 1,
      staleAfterMs: 60_000,
    });
    expect(claim.steps[0]).toMatchObject({ id: 'drain', status: 'succeeded' });
  });
});

describe('commitPostgres', () => {
  const postgres = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it.each(postgres.eachSupportedId())(
    'reports written progress and the failed search apart, on %p',
    async id => {
      const knex = await postgres.init(id);
      const store = await RunStore.fromKnex(knex);
      const runId = await store.createRun({
        runbookRef: 'runbook:default/rb',
        runbook: runbook('rb'),
        parameters: {},
        requestedBy: 'user:default/amelie',
        dryRun: false,
        concurrency: 5,
        targets: [0, 1].map(i => ({
          entityRef: `cluster:default/c-${i}`,
          entity: cluster(`c-${i}`),
          needsApproval: false,
        })),
      });
      const [claim] = await claimTargets(store, {
        workerId: 'w1',
        limit: 1,
        staleAfterMs: 60_000,
      });
      // the search for more work runs in a transaction of its own: break it
      const broken = new Proxy(knex, {
        get: (target, property, receiver) =>
          property === 'transaction'
            ? () => Promise.reject(new Error('connection reset'))
            : Reflect.get(target, property, receiver),
      });
      const result = await commitPostgres(
        broken,
        [
          {
            claim: { runId, targetId: claim.targetId, claimId: claim.claimId },
            finish: { status: 'succeeded' },
            logs: [],
          },
        ],
        {
          workerId: 'w1',
          limit: 5,
          staleAfterMs: 60_000,
          search: true,
        },
        Date.now(),
      );
      expect(result.held).toEqual([true]);
      expect(String(result.searchError)).toContain('connection reset');
      expect(await store.countTargets(runId)).toMatchObject({
        succeeded: 1,
        pending: 1,
      });
    },
  );
  it.each(postgres.eachSupportedId())(
    "says when another worker's claim held the run, and claims once it is done, on %p",
    async id => {
      const knex = await postgres.init(id);
      const store = await RunStore.fromKnex(knex);
      const runId = await store.createRun({
        runbookRef: 'runbook:default/rb',
        runbook: runbook('rb'),
        parameters: {},
        requestedBy: 'user:default/amelie',
        dryRun: false,
        concurrency: 4,
        targets: [0, 1, 2, 3].map(i => ({
          entityRef: `cluster:default/c-${i}`,
          entity: cluster(`c-${i}`),
          needsApproval: false,
        })),
      });
      const claim = {
        workerId: 'w2',
        limit: 2,
        staleAfterMs: 60_000,
        search: true,
        workers: 2,
      };
      // another worker's claim transaction holds the run row
      let release!: () => void;
      const holding = knex.transaction(async tx => {
        await tx('runbooks_runs').where('id', runId).forUpdate().first('id');
        await new Promise<void>(resolve => {
          release = resolve;
        });
      });
      await new Promise(resolve => setTimeout(resolve, 100));
      const during = await store.commit([], claim);
      release();
      await holding;
      expect(during.claimed).toEqual([]);
      expect(during.contended).toBe(true);

      // once it is done, the same claim takes this worker's share
      const after = await store.commit([], claim);
      expect(after.claimed).toHaveLength(2);
      expect(after.contended).toBe(false);
      // another worker takes the rest; then nothing is left to take and no
      // one holds the run: a short claim that is not contended
      const rest = await store.commit([], { ...claim, workerId: 'w3' });
      expect(rest.claimed).toHaveLength(2);
      const idle = await store.commit([], { ...claim, workerId: 'w4' });
      expect(idle.claimed).toEqual([]);
      expect(idle.contended).toBe(false);
    },
  );
});
