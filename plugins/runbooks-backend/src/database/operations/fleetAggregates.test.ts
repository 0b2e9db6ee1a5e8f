import { TestDatabases } from '@backstage/backend-test-utils';
import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';
import { Knex } from 'knex';
import { cluster, runbook } from '../../engine/testUtils';
import { DatabaseRunStore } from '../DatabaseRunStore';
import { claimTargets } from '../testUtils';
import { StoredStep } from '../types';

jest.setTimeout(120_000);

const databases = TestDatabases.create();

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

/** How one target of a test run ends. */
interface Outcome {
  ref: string;
  status: 'succeeded' | 'failed';
  steps?: (StoredStep | null)[];
}

const tlsStep = (status: 'succeeded' | 'failed', daysLeft: number[]) => ({
  id: 'check',
  status,
  attempts: 1,
  output: {
    certificates: daysLeft.map((d, i) => ({
      endpoint: `node-${i}:443`,
      daysLeft: d,
    })),
    minDaysLeft: 14,
  },
  ...(status === 'failed' ? { error: 'expires soon' } : {}),
});

/** Counts the statements sent while `fn` runs. */
async function countQueries(knex: Knex, fn: () => Promise<unknown>) {
  let count = 0;
  const listener = () => {
    count += 1;
  };
  knex.on('query', listener);
  try {
    await fn();
  } finally {
    knex.removeListener('query', listener);
  }
  return count;
}

describe.each(databases.eachSupportedId())(
  'fleet aggregates on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseRunStore;
    let now = T0;

    /** A run whose targets all end as told at `at` (epoch ms). */
    async function run(
      rb: RunbookEntityV1alpha1,
      at: number,
      outcomes: Outcome[],
      dryRun = false,
    ) {
      now = at;
      const runId = await store.createRun({
        runbookRef: `runbook:default/${rb.metadata.name}`,
        runbook: rb,
        parameters: {},
        requestedBy: 'user:default/amelie',
        dryRun,
        concurrency: 100,
        targets: outcomes.map(o => ({
          entityRef: o.ref,
          entity: cluster(o.ref.split('/')[1]),
          needsApproval: false,
        })),
      });
      const claimed = await claimTargets(store, {
        workerId: 'w',
        limit: 100,
        staleAfterMs: 60_000,
      });
      expect(claimed).toHaveLength(outcomes.length);
      const { held } = await store.commit(
        claimed.map(c => {
          const o = outcomes.find(x => x.ref === c.entityRef)!;
          return {
            claim: c,
            steps: o.steps ?? [{ id: 'work', status: o.status, attempts: 1 }],
            finish: { status: o.status },
            logs: [],
          };
        }),
      );
      expect(held.every(Boolean)).toBe(true);
      return runId;
    }

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseRunStore.fromKnex(knex, { clock: () => now });
    });

    it('gives per runbook type and cluster the last success of a real run', async () => {
      const patch = runbook('kafka-patch', { type: 'patch' });
      const backup = runbook('nightly-backup', { type: 'backup' });
      await run(patch, T0 + DAY, [
        { ref: 'cluster:default/c-0', status: 'succeeded' },
        { ref: 'cluster:default/c-1', status: 'failed' },
        { ref: 'cluster:default/c-2', status: 'succeeded' },
        { ref: 'component:default/web', status: 'succeeded' },
      ]);
      await run(patch, T0 + 2 * DAY, [
        { ref: 'cluster:default/c-0', status: 'succeeded' },
        { ref: 'cluster:default/c-2', status: 'failed' },
      ]);
      // a dry run changes nothing
      await run(
        patch,
        T0 + 3 * DAY,
        [{ ref: 'cluster:default/c-1', status: 'succeeded' }],
        true,
      );
      await run(backup, T0 + 4 * DAY, [
        { ref: 'cluster:default/c-1', status: 'succeeded' },
      ]);
      // a runbook without a type is no maintenance of any
      await run(runbook('untyped'), T0 + 5 * DAY, [
        { ref: 'cluster:default/c-3', status: 'succeeded' },
      ]);

      let rows: Awaited<ReturnType<DatabaseRunStore['lastSucceeded']>> = [];
      const queries = await countQueries(knex, async () => {
        rows = await store.lastSucceeded({ kind: 'cluster' });
      });
      expect(queries).toBe(1);
      const sorted = [...rows].sort((a, b) =>
        `${a.runbookType}${a.entityRef}`.localeCompare(
          `${b.runbookType}${b.entityRef}`,
        ),
      );
      expect(sorted).toEqual([
        {
          runbookRef: 'runbook:default/nightly-backup',
          runbookType: 'backup',
          entityRef: 'cluster:default/c-1',
          finishedAt: T0 + 4 * DAY,
        },
        {
          runbookRef: 'runbook:default/kafka-patch',
          runbookType: 'patch',
          entityRef: 'cluster:default/c-0',
          finishedAt: T0 + 2 * DAY,
        },
        {
          runbookRef: 'runbook:default/kafka-patch',
          runbookType: 'patch',
          entityRef: 'cluster:default/c-2',
          finishedAt: T0 + DAY,
        },
      ]);
      // without a kind, every entity
      expect((await store.lastSucceeded({})).map(r => r.entityRef)).toContain(
        'component:default/web',
      );
    });

    it('gives per cluster its latest TLS check, failed ones and their certificates included', async () => {
      const tls = runbook('cert-check', {
        type: 'check',
        steps: [{ id: 'check', executor: 'tls' }],
      });
      const twoSteps = runbook('cert-check-2', {
        type: 'check',
        steps: [
          { id: 'prep', executor: 'test' },
          { id: 'check', executor: 'tls' },
        ],
      });
      const notTls = runbook('other-check', { type: 'check' });
      const first = await run(tls, T0 + 10 * DAY, [
        {
          ref: 'cluster:default/t-0',
          status: 'succeeded',
          steps: [tlsStep('succeeded', [40, 90])],
        },
        {
          // the check failed on its findings: they count
          ref: 'cluster:default/t-1',
          status: 'failed',
          steps: [tlsStep('failed', [100, 3])],
        },
      ]);
      const second = await run(tls, T0 + 11 * DAY, [
        {
          ref: 'cluster:default/t-0',
          status: 'failed',
          steps: [tlsStep('failed', [-2, 300])],
        },
      ]);
      // a dry run and a runbook without a tls step are no TLS checks
      await run(
        tls,
        T0 + 12 * DAY,
        [
          {
            ref: 'cluster:default/t-0',
            status: 'succeeded',
            steps: [tlsStep('succeeded', [365])],
          },
        ],
        true,
      );
      await run(notTls, T0 + 12 * DAY, [
        {
          ref: 'cluster:default/t-2',
          status: 'succeeded',
          steps: [{ ...tlsStep('succeeded', [1]), id: 'work' }],
        },
      ]);
      const third = await run(twoSteps, T0 + 13 * DAY, [
        {
          // only the tls step's certificates count
          ref: 'cluster:default/t-3',
          status: 'succeeded',
          steps: [
            { ...tlsStep('succeeded', [1]), id: 'prep' },
            tlsStep('succeeded', [50]),
          ],
        },
        {
          // failed before its tls step: checked, nothing found
          ref: 'cluster:default/t-4',
          status: 'failed',
          steps: [{ id: 'prep', status: 'failed', attempts: 1 }, null],
        },
      ]);

      let rows: Awaited<ReturnType<DatabaseRunStore['latestTlsChecks']>> = [];
      const queries = await countQueries(knex, async () => {
        rows = await store.latestTlsChecks({ kind: 'cluster' });
      });
      expect(queries).toBe(2);
      const byRef = Object.fromEntries(rows.map(r => [r.entityRef, r]));
      expect(Object.keys(byRef).sort()).toEqual([
        'cluster:default/t-0',
        'cluster:default/t-1',
        'cluster:default/t-3',
        'cluster:default/t-4',
      ]);
      expect(byRef['cluster:default/t-0']).toEqual({
        runbookRef: 'runbook:default/cert-check',
        entityRef: 'cluster:default/t-0',
        runId: second,
        finishedAt: T0 + 11 * DAY,
        minDaysLeft: -2,
      });
      expect(byRef['cluster:default/t-1']).toMatchObject({
        runId: first,
        minDaysLeft: 3,
      });
      expect(byRef['cluster:default/t-3']).toMatchObject({
        runbookRef: 'runbook:default/cert-check-2',
        runId: third,
        minDaysLeft: 50,
      });
      expect(byRef['cluster:default/t-4'].minDaysLeft).toBeUndefined();
    });
  },
);
