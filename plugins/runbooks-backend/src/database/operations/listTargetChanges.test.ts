import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { cluster, runbook } from '../../engine/testUtils';
import { DatabaseRunStore } from '../DatabaseRunStore';
import { claimTargets } from '../testUtils';

jest.setTimeout(120_000);

const databases = TestDatabases.create();

const HOUR = 3_600_000;
const tick = () => new Promise(resolve => setTimeout(resolve, 5));

function newRun(targets: number, needsApproval: (i: number) => boolean) {
  return {
    runbookRef: 'runbook:default/rb',
    runbook: runbook('rb'),
    parameters: {},
    requestedBy: 'user:default/amelie',
    dryRun: false,
    concurrency: 10,
    targets: Array.from({ length: targets }, (_, i) => ({
      entityRef: `cluster:default/c-${i}`,
      entity: cluster(`c-${i}`),
      needsApproval: needsApproval(i),
    })),
  };
}

describe.each(databases.eachSupportedId())(
  'listTargetChanges on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseRunStore;

    // a database per test: workers claim from the oldest run of any
    beforeEach(async () => {
      knex = await databases.init(databaseId);
      // this replica's clock is an hour behind: changed_at is not from it
      store = await DatabaseRunStore.fromKnex(knex, {
        clock: () => Date.now() - HOUR,
      });
    });

    /** Every change of the run since `since`, page by page. */
    async function allChanges(runId: string, since: number, limit = 500) {
      const items = [];
      let cursor = since;
      for (let more = true; more; ) {
        const page = await store.listTargetChanges({
          runId,
          since: cursor,
          limit,
        });
        items.push(...page.items);
        cursor = page.cursor;
        more = page.more;
      }
      return { items, cursor };
    }

    it('reports the status changes of targets past the first 500', async () => {
      const runId = await store.createRun(newRun(1200, () => true));
      // a run's creation: every target, each once, in pages of 500 or so
      const created = await allChanges(runId, 0);
      expect(created.items).toHaveLength(1200);
      expect(new Set(created.items.map(t => t.id)).size).toBe(1200);
      expect(created.items.every(t => t.status === 'awaiting_approval')).toBe(
        true,
      );
      // small pages end on whole milliseconds: none lost, none repeated
      const small = await allChanges(runId, 0, 7);
      expect(new Set(small.items.map(t => t.id)).size).toBe(1200);
      expect(small.items).toHaveLength(1200);
      // stamped by the database's clock, not the replica's
      expect(Math.abs(created.cursor - Date.now())).toBeLessThan(60_000);

      const byRef = new Map(created.items.map(t => [t.entityRef, t.id]));
      await tick();
      await store.decide({
        runId,
        targetIds: [
          byRef.get('cluster:default/c-700')!,
          byRef.get('cluster:default/c-1199')!,
        ],
        approve: true,
        by: 'user:default/sam',
      });
      const { items, more } = await store.listTargetChanges({
        runId,
        since: created.cursor,
      });
      expect(more).toBe(false);
      expect(items.map(t => [t.entityRef, t.status])).toEqual(
        expect.arrayContaining([
          ['cluster:default/c-700', 'pending'],
          ['cluster:default/c-1199', 'pending'],
        ]),
      );
      expect(items).toHaveLength(2);
    });

    it('is stamped by every write that changes a status, and only by those', async () => {
      const runId = await store.createRun(newRun(4, i => i === 3));
      const { items } = await allChanges(runId, 0);
      const [t0, t1, t2, t3] = items
        .sort((a, b) => a.entityRef.localeCompare(b.entityRef))
        .map(t => t.id);
      let mark = (await allChanges(runId, 0)).cursor;
      /** The targets (id -> status) whose status changed since the last call. */
      const changedNow = async () => {
        await tick();
        const page = await allChanges(runId, mark);
        mark = page.cursor;
        return Object.fromEntries(page.items.map(t => [t.id, t.status]));
      };
      await tick();

      // a worker's search claims the first target
      const [claim] = await claimTargets(store, {
        workerId: 'w1',
        limit: 1,
        staleAfterMs: 60_000,
      });
      expect(claim.targetId).toBe(t0);
      expect(await changedNow()).toEqual({ [t0]: 'running' });

      // a step result alone changes no status
      const own = { runId, targetId: t0, claimId: claim.claimId };
      await store.commit([{ claim: own, steps: [null], logs: [] }]);
      expect(await changedNow()).toEqual({});

      // the target's end, and the hand-off of its slot to the next one
      const ended = await store.commit(
        [{ claim: own, finish: { status: 'succeeded' }, logs: [] }],
        {
          workerId: 'w1',
          limit: 1,
          staleAfterMs: 60_000,
          handOff: [
            { runId, max: 1, concurrency: 10, dryRun: false, requestedBy: 'u' },
          ],
        },
      );
      expect(ended.claimed.map(c => c.targetId)).toEqual([t1]);
      expect(await changedNow()).toEqual({
        [t0]: 'succeeded',
        [t1]: 'running',
      });

      // another replica, an hour later, puts the silent worker's target back
      const later = new DatabaseRunStore(knex, { clock: () => Date.now() });
      await later.commit([], {
        workerId: 'w2',
        limit: 0,
        staleAfterMs: 60_000,
        search: true,
      });
      expect(await changedNow()).toEqual({ [t1]: 'pending' });

      await store.decide({ runId, approve: true, by: 'user:default/sam' });
      expect(await changedNow()).toEqual({ [t3]: 'pending' });

      expect(await store.cancelRun(runId)).toBe(true);
      expect(await changedNow()).toEqual({
        [t1]: 'cancelled',
        [t2]: 'cancelled',
        [t3]: 'cancelled',
      });

      const rejectedRun = await store.createRun(newRun(1, () => true));
      const before = await allChanges(rejectedRun, 0);
      await tick();
      await store.decide({
        runId: rejectedRun,
        approve: false,
        by: 'user:default/sam',
      });
      const after = await allChanges(rejectedRun, before.cursor);
      expect(after.items.map(t => t.status)).toEqual(['rejected']);
    });
  },
);
