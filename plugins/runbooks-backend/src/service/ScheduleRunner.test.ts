import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity, RELATION_OWNED_BY } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';
import { RunStore } from '../database/RunStore';
import { cluster, runbook, testTrustPolicy } from '../engine/testUtils';
import { RunbooksService, toRunbookSummary } from './RunbooksService';
import { RunNotifier } from './RunNotifier';
import { nextOccurrence, ScheduleRunner } from './ScheduleRunner';

const databases = TestDatabases.create();

/** A cluster as the catalog returns it: with the ownedBy relation of its owner. */
function processed(entity: Entity): Entity {
  return {
    ...entity,
    relations: [
      { type: RELATION_OWNED_BY, targetRef: String(entity.spec!.owner) },
    ],
  };
}

/** One replica's schedule runner on a store and a catalog, with mocks to inspect. */
function scheduleRunner(store: RunStore, entities: Entity[]) {
  const catalog = catalogServiceMock({ entities });
  const logger = mockServices.logger.mock();
  const auditor = mockServices.auditor.mock();
  const service = new RunbooksService({
    store,
    catalog,
    permissions: mockServices.permissions(),
    userInfo: mockServices.userInfo(),
    auditor,
    logger,
    notifier: new RunNotifier({ logger, store }),
    wake: () => {},
    abortRun: () => {},
    trust: testTrustPolicy,
  });
  const runner = new ScheduleRunner({
    store,
    catalog,
    logger,
    auth: mockServices.auth(),
    scheduler: mockServices.scheduler.mock(),
    service,
  });
  /** The audit events so far: what they said at first and how they ended. */
  const events = async () =>
    Promise.all(
      auditor.createEvent.mock.calls.map(async ([options], i) => {
        const event = await auditor.createEvent.mock.results[i].value;
        return {
          options,
          success: event.success.mock.calls,
          fail: event.fail.mock.calls,
        };
      }),
    );
  return { runner, service, logger, events };
}

/** Fires a runbook's daily 02:00 schedule once: first sighting, then due. */
async function fireOnce(runner: ScheduleRunner) {
  expect(await runner.tick(new Date('2026-11-21T01:00:00Z'))).toEqual([]);
  return runner.tick(new Date('2026-11-21T02:00:30Z'));
}

const backupOwnedBy = (owner: string): RunbookEntityV1alpha1 =>
  runbook('nightly-backup', {
    owner,
    targets: { kind: 'Cluster', 'spec.engine': ['postgresql', 'mongodb'] },
    schedule: { cron: '0 2 * * *' },
  });

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
            notifier: new RunNotifier({ logger, store }),
            wake: () => {},
            abortRun: () => {},
            trust: testTrustPolicy,
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
      const next = new Date(
        toRunbookSummary(backup, { trusted: true }).schedule!.nextRunAt!,
      );
      expect(next.getUTCHours()).toBe(2);
      expect(next.getTime()).toBeGreaterThan(Date.now());
    });

    it('runs a schedule only on the targets its runbook owner owns, and names the others', async () => {
      const store = await RunStore.fromKnex(await databases.init(databaseId));
      const { runner, service, logger, events } = scheduleRunner(store, [
        // `sre` without kind and namespace: the owner is group:default/sre
        backupOwnedBy('sre') as Entity,
        cluster('pg-prod-01', {
          engine: 'postgresql',
          owner: 'group:default/sre',
        }),
        processed(
          cluster('pg-prod-02', {
            engine: 'postgresql',
            owner: 'group:default/sre',
          }),
        ),
        // spec.owner without kind: a group, as the catalog reads it
        cluster('pg-dev-01', { engine: 'postgresql', owner: 'sre' }),
        processed(
          cluster('mongo-prod-01', {
            engine: 'mongodb',
            owner: 'group:default/platform-mongodb',
          }),
        ),
        cluster('kafka-prod-01', {
          engine: 'kafka',
          owner: 'group:default/sre',
        }),
      ]);

      const started = await fireOnce(runner);
      expect(started).toHaveLength(1);
      const run = await service.getRunSummary(started[0]);
      expect(run).toMatchObject({
        requestedBy: 'schedule:runbook:default/nightly-backup',
        schedule: '0 2 * * *',
        total: 3,
      });
      const { items } = await store.listTargets({
        runId: run.id,
        offset: 0,
        limit: 10,
      });
      expect(items.map(t => t.entityRef).sort()).toEqual([
        'cluster:default/pg-dev-01',
        'cluster:default/pg-prod-01',
        'cluster:default/pg-prod-02',
      ]);

      // the audit trail says the schedule started it and what it left out
      const [event] = await events();
      expect(event.options).toMatchObject({
        eventId: 'run-start',
        meta: {
          actor: 'schedule:runbook:default/nightly-backup',
          runbookRef: 'runbook:default/nightly-backup',
          schedule: '0 2 * * *',
        },
      });
      expect(event.fail).toEqual([]);
      expect(event.success).toEqual([
        [
          {
            meta: {
              onBehalfOf: 'group:default/sre',
              skippedTargets: ['cluster:default/mongo-prod-01'],
              skippedCount: 1,
              runId: run.id,
              targetCount: 3,
            },
          },
        ],
      ]);
      // so do the backend log and the run's own log
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('cluster:default/mongo-prod-01'),
      );
      const logs = await store.listLogs({ runId: run.id, limit: 10 });
      expect(logs.items).toEqual([
        expect.objectContaining({
          level: 'warn',
          targetId: undefined,
          message: expect.stringMatching(
            /acts for group:default\/sre and leaves out 1 of 4 matching targets owned by others: cluster:default\/mongo-prod-01$/,
          ),
        }),
      ]);
      // the runs list can filter by the schedule
      const { rows } = await store.listRuns({
        requestedBy: 'schedule:runbook:default/nightly-backup',
        limit: 10,
      });
      expect(rows.map(r => r.id)).toEqual([run.id]);
    });

    it('starts no run of a runbook from an untrusted source, and says which setting would allow it', async () => {
      const store = await RunStore.fromKnex(await databases.init(databaseId));
      const registered = backupOwnedBy('group:default/sre');
      // read from a location a user registered through the catalog API
      registered.metadata.annotations = {
        'backstage.io/managed-by-location':
          'url:https://git.example/guest/x/-/blob/main/catalog-info.yaml',
        'backstage.io/managed-by-origin-location':
          'url:https://git.example/guest/x/-/blob/main/catalog-info.yaml',
      };
      const { runner, logger, events } = scheduleRunner(store, [
        registered as Entity,
        processed(
          cluster('pg-prod-01', {
            engine: 'postgresql',
            owner: 'group:default/sre',
          }),
        ),
      ]);

      expect(await fireOnce(runner)).toEqual([]);
      expect((await store.listRuns({ limit: 10 })).rows).toEqual([]);
      const [event] = await events();
      expect(event.success).toEqual([]);
      expect(event.fail[0][0].error.message).toBe(
        'Not trusted: runbook:default/nightly-backup was read from url:https://git.example/guest/x/-/blob/main/catalog-info.yaml, which is neither a catalog location in app-config nor under runbooks.trustedSources',
      );
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringContaining(
          'Scheduled run of runbook:default/nightly-backup failed to start: NotAllowedError: Not trusted',
        ),
      );
    });

    it('starts no run when every target of the schedule belongs to others, once per occurrence', async () => {
      const store = await RunStore.fromKnex(await databases.init(databaseId));
      const others = Array.from({ length: 23 }, (_, i) =>
        processed(
          cluster(`mongo-${String(i).padStart(2, '0')}`, {
            engine: 'mongodb',
            owner: 'group:default/platform-mongodb',
          }),
        ),
      );
      const { runner, logger, events } = scheduleRunner(store, [
        backupOwnedBy('group:default/sre') as Entity,
        ...others,
      ]);

      expect(await fireOnce(runner)).toEqual([]);
      expect((await store.listRuns({ limit: 10 })).rows).toEqual([]);

      const [event] = await events();
      expect(event.options.meta).toMatchObject({
        actor: 'schedule:runbook:default/nightly-backup',
      });
      expect(event.success).toEqual([]);
      expect(event.fail).toHaveLength(1);
      const [{ error, meta }] = event.fail[0];
      expect(error.message).toMatch(
        /^No target of the schedule is owned by group:default\/sre \(the owner of runbook:default\/nightly-backup\); 23 matching targets are owned by others: cluster:default\/mongo-00, .*cluster:default\/mongo-19 and 3 more$/,
      );
      expect(meta).toMatchObject({ skippedCount: 23 });
      expect(meta.skippedTargets).toHaveLength(20);
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringContaining(
          'Scheduled run of runbook:default/nightly-backup failed to start: NotAllowedError: No target of the schedule is owned by group:default/sre',
        ),
      );

      // the occurrence is used up: later checks the same day do not retry it
      expect(await runner.tick(new Date('2026-11-21T02:05:00Z'))).toEqual([]);
      expect(await runner.tick(new Date('2026-11-21T13:00:00Z'))).toEqual([]);
      expect(await events()).toHaveLength(1);
    });
  },
);
