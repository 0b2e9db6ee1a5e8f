import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity, RELATION_OWNED_BY } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  nextCronOccurrence,
  RunbookEntityV1alpha1,
} from '@fleetdeck/plugin-runbooks-common';
import { DefaultRunBroker } from '../broker';
import { DatabaseRunStore, RunStore } from '../database/RunStore';
import { cluster, runbook, testTrustPolicy } from '../engine/testUtils';
import { RunbooksService, toRunbookSummary } from './RunbooksService';
import { RunNotifier } from './RunNotifier';
import { ScheduleRunner } from './ScheduleRunner';

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

/**
 * One replica's schedule runner on a store and a catalog, with mocks to
 * inspect; `clock` is the replica's own.
 */
async function scheduleRunner(
  store: RunStore,
  entities: Entity[],
  clock?: () => Date,
) {
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
    broker: await DefaultRunBroker.create({ logger }),
    trust: testTrustPolicy,
  });
  const runner = new ScheduleRunner({
    store,
    catalog,
    logger,
    auth: mockServices.auth(),
    scheduler: mockServices.scheduler.mock(),
    service,
    clock,
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

/**
 * The worst case of replicas checking at once: while armed, each store's
 * read of the last fire returns only when every store has read it, so all
 * decide on the same value before any of them writes.
 */
function readTogether(stores: RunStore[], readers = stores.length) {
  let armed = false;
  let waiting: (() => void)[] = [];
  stores.forEach(store => {
    const read = store.lastScheduleFire.bind(store);
    jest.spyOn(store, 'lastScheduleFire').mockImplementation(async ref => {
      const value = await read(ref);
      if (!armed) return value;
      await new Promise<void>(resolve => {
        waiting.push(resolve);
        if (waiting.length < readers) return;
        waiting.forEach(release => release());
        waiting = [];
      });
      return value;
    });
  });
  return {
    /** Runs `fn` (which must tick every replica at once) with reads held. */
    async during<T>(fn: () => Promise<T>): Promise<T> {
      armed = true;
      try {
        return await fn();
      } finally {
        armed = false;
      }
    },
  };
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

/** A cluster group:default/sre owns, as the catalog returns it. */
const sreCluster = processed(
  cluster('pg-prod-01', { engine: 'postgresql', owner: 'group:default/sre' }),
);

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
      const entities = [
        backup as Entity,
        runbook('unscheduled') as Entity,
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
      ];
      const { runner: a } = await scheduleRunner(store, entities);
      const { runner: b } = await scheduleRunner(store, entities);
      const reads = readTogether([store], 2);

      // first sighting at 01:00: nothing fires, the clock starts
      expect(await a.tick(new Date('2026-11-21T01:00:00Z'))).toEqual([]);
      expect(await b.tick(new Date('2026-11-21T01:30:00Z'))).toEqual([]);
      // both replicas check at once, by clocks 2 s apart: one run starts
      const started = await reads.during(() =>
        Promise.all([
          a.tick(new Date('2026-11-21T02:00:30Z')),
          b.tick(new Date('2026-11-21T02:00:32Z')),
        ]),
      );
      expect(started.flat()).toHaveLength(1);
      const run = await store.getRunSummary(started.flat()[0]);
      expect(run).toMatchObject({
        schedule: '0 2 * * *',
        runbookRef: 'runbook:default/nightly-backup',
        parameters: { keep: 3 },
      });
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
        nextCronOccurrence(
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

    it.each([
      ['the first replica', 1000],
      ['the second replica', -1000],
    ])(
      'fires an occurrence once when two replicas with clocks 2 s apart (%s ahead) check at the same moments',
      async (_, skew) => {
        const knex = await databases.init(databaseId);
        let real = Date.parse('2026-11-21T01:00:00Z');
        type Replica = Awaited<ReturnType<typeof scheduleRunner>>;
        const replicas: (Replica & { store: DatabaseRunStore })[] = [];
        const clocks = [skew, -skew].map(offset => () => real + offset);
        for (const clock of clocks) {
          const store = await DatabaseRunStore.fromKnex(knex, { clock });
          const replica = await scheduleRunner(
            store,
            [backupOwnedBy('group:default/sre') as Entity, sreCluster],
            () => new Date(clock()),
          );
          replicas.push({ store, ...replica });
        }
        const reads = readTogether(replicas.map(r => r.store));
        /** Both replicas' scheduler tasks run now; the runs they started. */
        const tickBoth = async () =>
          (
            await reads.during(() =>
              Promise.all(replicas.map(r => r.runner.tick())),
            )
          ).flat();

        // first sighting at 01:00, then a check every 500 ms around 02:00
        expect(await tickBoth()).toEqual([]);
        const started: string[] = [];
        real = Date.parse('2026-11-21T01:59:57Z');
        for (; real <= Date.parse('2026-11-21T02:00:03Z'); real += 500) {
          started.push(...(await tickBoth()));
        }
        expect(started).toHaveLength(1);
        // both checking for the first time well after the occurrence: once
        real = Date.parse('2026-11-22T02:00:30Z');
        expect(await tickBoth()).toHaveLength(1);
        expect(await tickBoth()).toEqual([]);
        const { items } = await replicas[0].store.listRuns({ limit: 10 });
        expect(items.map(r => r.requestedBy)).toEqual([
          'schedule:runbook:default/nightly-backup',
          'schedule:runbook:default/nightly-backup',
        ]);
      },
    );

    it('runs a schedule only on the targets its runbook owner owns, and names the others', async () => {
      const store = await RunStore.fromKnex(await databases.init(databaseId));
      const { runner, service, logger, events } = await scheduleRunner(store, [
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
      const { items: runs } = await store.listRuns({
        requestedBy: 'schedule:runbook:default/nightly-backup',
        limit: 10,
      });
      expect(runs.map(r => r.id)).toEqual([run.id]);
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
      const { runner, logger, events } = await scheduleRunner(store, [
        registered as Entity,
        processed(
          cluster('pg-prod-01', {
            engine: 'postgresql',
            owner: 'group:default/sre',
          }),
        ),
      ]);

      expect(await fireOnce(runner)).toEqual([]);
      expect((await store.listRuns({ limit: 10 })).items).toEqual([]);
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
      const { runner, logger, events } = await scheduleRunner(store, [
        backupOwnedBy('group:default/sre') as Entity,
        ...others,
      ]);

      expect(await fireOnce(runner)).toEqual([]);
      expect((await store.listRuns({ limit: 10 })).items).toEqual([]);

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
