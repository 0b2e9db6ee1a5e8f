import { TestDatabases } from '@backstage/backend-test-utils';
import { cluster, runbook } from '../engine/testUtils';
import { RunStore } from './RunStore';

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
    const summary = await store.toSummary(await store.getRunRow(runId));
    expect(summary).toMatchObject({ total: 5000, status: 'running' });

    const first = await store.listRuns({ limit: 1 });
    expect(first.rows.map(r => r.id)).toEqual([runId]);
    expect(first.nextCursor).toBeUndefined();
  });
});
