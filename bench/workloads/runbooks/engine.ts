/*
 * The runbooks engine under load: the run store and worker the backend uses,
 * on SQLite (a file) or PostgreSQL (a fresh database), one run of N targets x
 * one step that waits `stepMs` (0 = no-op) at the given concurrency.
 * With a fifth argument of 2 it runs twice: the first run of the fresh
 * process and database (`ms`), then the same again (`warmMs`), as a backend
 * that has been up a while runs it.
 * Prints one JSON line: { ms, warmMs, targets, rssBeforeMb, rssPeakMb, heapGrowthMb }.
 */
import {
  DefaultRunBroker,
  RunStore,
  RunWorker,
} from '@fleetdeck/plugin-runbooks-backend';
import {
  clusterTargets,
  database as openDatabase,
  mb,
  quietLogger,
} from './shared';

const [
  client = 'sqlite',
  targetsArg = '1000',
  stepMsArg = '100',
  concurrencyArg = '50',
  runsArg = '1',
] = process.argv.slice(2);
const targets = Number(targetsArg);
const stepMs = Number(stepMsArg);
const concurrency = Number(concurrencyArg);
const database = () => openDatabase(client);

async function main() {
  const db = await database();
  const store = await RunStore.fromKnex(db.knex);
  // statements sent during the run; with RUNBOOKS_BENCH_STATEMENTS, by their
  // first words with the time each took (costs CPU: not for measured runs)
  const detail = !!process.env.RUNBOOKS_BENCH_STATEMENTS;
  const statements = new Map<string, number>();
  const spent = new Map<string, number>();
  const pending = new Map<string, [string, number]>();
  let counting = false;
  let queries = 0;
  db.knex.on('query', (q: { sql: string; __knexQueryUid: string }) => {
    if (!counting) return;
    queries++;
    if (!detail) return;
    const key = q.sql.replace(/\s+/g, ' ').trim().slice(0, 60);
    statements.set(key, (statements.get(key) ?? 0) + 1);
    pending.set(q.__knexQueryUid, [key, performance.now()]);
  });
  db.knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string }) => {
    const p = pending.get(q.__knexQueryUid);
    if (!p) return;
    pending.delete(q.__knexQueryUid);
    spent.set(p[0], (spent.get(p[0]) ?? 0) + performance.now() - p[1]);
  });
  let finished: (() => void) | undefined;
  const logger = quietLogger;
  // this process alone: the broker without an events service
  const broker = await DefaultRunBroker.create({ logger });
  broker.onRunFinished(() => finished?.());
  const worker = new RunWorker({
    store,
    executors: new Map([
      [
        'bench',
        {
          id: 'bench',
          async execute() {
            if (stepMs > 0) await new Promise(r => setTimeout(r, stepMs));
          },
        },
      ],
    ]),
    logger,
    workerId: 'bench',
    maxParallel: concurrency,
    pollIntervalMs: 1000,
    heartbeatIntervalMs: 5000,
    broker,
  });
  const runbook = {
    apiVersion: 'fleetdeck.io/v1alpha1',
    kind: 'Runbook',
    metadata: { name: 'bench' },
    spec: {
      owner: 'group:default/sre',
      targets: { kind: 'Cluster' },
      concurrency,
      steps: [{ id: 'step', executor: 'bench' }],
    },
  };
  const entities = clusterTargets(targets);
  /** One run of every entity, from its creation to the broker's "finished". */
  async function measure() {
    const done = new Promise<void>(r => (finished = r));
    const cpuBefore = process.cpuUsage();
    queries = 0;
    counting = true;
    const started = performance.now();
    const runId = await store.createRun({
      runbookRef: 'runbook:default/bench',
      runbook,
      parameters: {},
      requestedBy: 'user:default/bench',
      dryRun: false,
      concurrency,
      targets: entities,
    });
    worker.wake();
    await done;
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    counting = false;
    const counts = await store.countTargets(runId);
    if (counts.succeeded !== targets)
      throw new Error(`only ${counts.succeeded} of ${targets} succeeded`);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, queries };
  }

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let rssPeak = rssBefore;
  const sampler = setInterval(
    () => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)),
    50,
  );
  worker.start();
  // the first run of a fresh process and database, then the next one, as a
  // backend that has been up a while runs it
  const cold = await measure();
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  if (detail)
    console.error(
      [...statements]
        .sort((a, b) => b[1] - a[1])
        .map(([k, c]) => `${c}\t${Math.round(spent.get(k) ?? 0)} ms\t${k}`)
        .join('\n'),
    );
  const warm = Number(runsArg) > 1 ? await measure() : undefined;
  await worker.stop();
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  await db.cleanup();
  console.log(
    JSON.stringify({
      ...cold,
      warmMs: warm?.ms,
      warmCpuMs: warm?.cpuMs,
      targets,
      rssBeforeMb: mb(rssBefore),
      rssPeakMb: mb(rssPeak),
      rssGrowthMb: mb(rssPeak - rssBefore),
      heapGrowthMb: mb(heapAfter - heapBefore),
    }),
  );
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
