import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { RunStore } from '../database/RunStore';
import { cluster, runbook } from '../engine/testUtils';
import { RunbooksService, toRunbookSummary } from './RunbooksService';
import { RunNotifier } from './RunNotifier';
import { nextOccurrence, ScheduleRunner } from './ScheduleRunner';

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'ScheduleRunner on %s',
  databaseId => {
    it('starts one normal run per cron occurrence, across two replicas', async () => {
      const store = await RunStore.fromKnex(await databases.init(databaseId));
      const backup = runbook('nightly-backup', {
        targets: { kind: 'Cluster', 'spec.engine': ['postgresql', 'mongodb'] },
        parameters: {
          type: 'object',
          properties: { keep: { type: 'integer', default: 7 } },
        },
        schedule: {
          cron: '0 2 * * *',
          targets: { 'spec.environment': 'production' },
          parameters: { keep: 3 },
        },
      });
      const catalog = catalogServiceMock({
        entities: [
          backup as any,
          runbook('unscheduled') as any,
          cluster('pg-prod-01', {
            engine: 'postgresql',
            environment: 'production',
          }),
          cluster('mongo-prod-01', {
            engine: 'mongodb',
            environment: 'production',
          }),
          cluster('pg-dev-01', { engine: 'postgresql', environment: 'dev' }),
          cluster('kafka-prod-01', {
            engine: 'kafka',
            environment: 'production',
          }),
        ],
      });
      const logger = mockServices.logger.mock();
      const replica = () =>
        new ScheduleRunner({
          store,
          catalog,
          logger,
          auth: mockServices.auth(),
          scheduler: mockServices.scheduler.mock(),
          service: new RunbooksService({
            store,
            catalog,
            permissions: mockServices.permissions(),
            userInfo: mockServices.userInfo(),
            auditor: mockServices.auditor.mock(),
            logger,
            notifier: new RunNotifier({ logger }),
            wake: () => {},
            abortRun: () => {},
          }),
        });
      const [a, b] = [replica(), replica()];

      // first sighting at 01:00: nothing fires, the clock starts
      expect(await a.tick(new Date('2026-11-21T01:00:00Z'))).toEqual([]);
      expect(await b.tick(new Date('2026-11-21T01:30:00Z'))).toEqual([]);
      // 02:00:30: both replicas check at once, one run starts
      const started = await Promise.all([
        a.tick(new Date('2026-11-21T02:00:30Z')),
        b.tick(new Date('2026-11-21T02:00:30Z')),
      ]);
      expect(started.flat()).toHaveLength(1);
      const run = await store.getRunRow(started.flat()[0]);
      expect(run).toMatchObject({
        schedule: '0 2 * * *',
        runbook_ref: 'runbook:default/nightly-backup',
      });
      expect(JSON.parse(run.parameters)).toEqual({ keep: 3 });
      const { items } = await store.listTargets({
        runId: run.id,
        offset: 0,
        limit: 10,
      });
      expect(items.map(t => t.entityRef).sort()).toEqual([
        'cluster:default/mongo-prod-01',
        'cluster:default/pg-prod-01',
      ]);
      // later the same day: not again; the next night: again
      expect(await a.tick(new Date('2026-11-21T13:00:00Z'))).toEqual([]);
      expect(await b.tick(new Date('2026-11-22T02:01:00Z'))).toHaveLength(1);
      expect(
        nextOccurrence(
          '0 2 * * *',
          new Date('2026-11-22T02:01:00Z'),
        ).toISOString(),
      ).toBe('2026-11-23T02:00:00.000Z');
      // the API tells the portal when the schedule fires next
      const next = new Date(toRunbookSummary(backup).schedule!.nextRunAt!);
      expect(next.getUTCHours()).toBe(2);
      expect(next.getTime()).toBeGreaterThan(Date.now());
    });
  },
);
