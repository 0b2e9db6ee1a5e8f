import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DefaultEventsService } from '@backstage/plugin-events-node';
import { RunbookExecutor } from '@fleetdeck/plugin-runbooks-node';
import { DefaultRunBroker } from '../broker/DefaultRunBroker';
import { DatabaseRunStore } from '../database/DatabaseRunStore';
import { RunWorker } from './RunWorker';
import { cluster, runbook } from './testUtils';

jest.setTimeout(60_000);

const databases = TestDatabases.create();

async function waitFor(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 20));
  }
}

/** Waits on its signal for `ms` (30 s: until aborted). */
const waiting = (ms: number): RunbookExecutor => ({
  id: 'test',
  async execute(ctx) {
    ctx.logger.info(`on ${ctx.target.metadata.name}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      });
    });
  },
});

describe.each(databases.eachSupportedId())(
  'RunWorker and the broker on %s',
  databaseId => {
    let store: DatabaseRunStore;
    const workers: RunWorker[] = [];
    const brokers: DefaultRunBroker[] = [];

    beforeAll(async () => {
      store = await DatabaseRunStore.fromKnex(await databases.init(databaseId));
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map(w => w.stop()));
      await Promise.all(brokers.splice(0).map(b => b.close()));
    });

    /** Replica a (the service's side) and replica b (a worker that polls and beats once a minute). */
    async function replicas(executor: RunbookExecutor) {
      const bus = DefaultEventsService.create({
        logger: mockServices.logger.mock(),
      });
      const broker = (instanceId: string) =>
        DefaultRunBroker.create({
          logger: mockServices.logger.mock(),
          events: bus.forPlugin('runbooks'),
          instanceId,
        });
      const a = await broker('a');
      const b = await broker('b');
      brokers.push(a, b);
      const worker = new RunWorker({
        store,
        executors: new Map([[executor.id, executor]]),
        logger: mockServices.logger.mock(),
        workerId: `worker-b-${Math.random()}`,
        broker: b,
        pollIntervalMs: 60_000,
        heartbeatIntervalMs: 60_000,
      });
      workers.push(worker);
      worker.start();
      // its first claim (nothing to do yet) is over
      await new Promise(r => setTimeout(r, 200));
      return { a, b };
    }

    function createRun(targets: number) {
      const rb = runbook('rb', { concurrency: targets });
      return store.createRun({
        runbookRef: 'runbook:default/rb',
        runbook: rb,
        parameters: {},
        requestedBy: 'user:default/amelie',
        dryRun: false,
        concurrency: targets,
        targets: Array.from({ length: targets }, (_, i) => ({
          entityRef: `cluster:default/kafka-${i}`,
          entity: cluster(`kafka-${i}`),
          needsApproval: false,
        })),
      });
    }

    it("starts a new run at once when another replica's service wakes it, and tells every replica what happened", async () => {
      const { a, b } = await replicas(waiting(10));
      const heardA: string[] = [];
      const heardB: string[] = [];
      const runId = await createRun(2);
      for (const [broker, heard] of [
        [a, heardA],
        [b, heardB],
      ] as const) {
        broker.subscribe(runId, (change, origin) =>
          heard.push(
            `${change.type}${
              'status' in change && change.status ? ` ${change.status}` : ''
            } ${origin}`,
          ),
        );
      }
      a.wake();
      // the worker polls once a minute: only the broker can have woken it
      await waitFor(
        async () => (await store.getRunSummary(runId)).status === 'succeeded',
        5_000,
      );
      await waitFor(async () => heardA.includes('run succeeded remote'), 2000);
      for (const [heard, origin] of [
        [heardA, 'remote'],
        [heardB, 'local'],
      ] as const) {
        expect(
          heard.filter(h => h === `target running ${origin}`),
        ).toHaveLength(2);
        expect(
          heard.filter(h => h === `target succeeded ${origin}`),
        ).toHaveLength(2);
        expect(heard).toContain(`logs ${origin}`);
        expect(heard[heard.length - 1]).toBe(`run succeeded ${origin}`);
      }
    });

    it("aborts a cancelled run's targets at once on another replica, before its heartbeat", async () => {
      const { a } = await replicas(waiting(30_000));
      const runId = await createRun(2);
      a.wake();
      await waitFor(
        async () => (await store.countTargets(runId)).running === 2,
        5_000,
      );
      expect(await store.cancelRun(runId)).toBe(true);
      a.abort(runId);
      // the worker beats once a minute: only the broker can have aborted
      // them; the worker lets go of a target just after its end commits
      await waitFor(
        async () =>
          (await store.countTargets(runId)).cancelled === 2 &&
          workers[0].activeCount === 0,
        5_000,
      );
    });
  },
);
