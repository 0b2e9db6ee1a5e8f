/*
 * The aap executor under load: the run store and worker the backend uses (on
 * SQLite or PostgreSQL, as engine.ts) running one run of N Cluster targets x
 * one `aap` step, with the real AapExecutor (from `runbooks.aap` config, its
 * default 1 s poll interval) against a FakeAwxServer in this process that
 * answers every request after `latencyMs` = 50 and runs each job for
 * `jobMs` (default 1,000 ms).
 *
 * Ideal: ceil(targets / concurrency) waves x (jobMs + 2 x latency): a job
 * cannot be seen finished before it has run jobMs, the read that sees it
 * finished takes one latency, and the events read after that (the output the
 * job wrote last) another. The launch's latency is not added: the fake starts
 * the job when the launch arrives and answers 50 ms later, so that answer
 * overlaps the job (as the checkpoint write after it does). Nor is the one
 * template lookup of the first wave: this ideal is the stricter one.
 *
 * Arguments: database (sqlite|pg), targets (1000), concurrency (50), job ms (1000).
 * Prints one JSON line: { ms, idealMs, targets, launches, requests, ... }.
 */
import { ConfigReader } from '@backstage/config';
import { FakeAwxServer } from '@fleetdeck/backend-test-utils';
import {
  DefaultRunBroker,
  RunStore,
  RunWorker,
} from '@fleetdeck/plugin-runbooks-backend';
import { AapExecutor } from '@fleetdeck/plugin-runbooks-backend-module-aap';
import { RunbookExecutor } from '@fleetdeck/plugin-runbooks-node';
import { clusterTargets, database, mb, quietLogger } from './shared';

const [
  client = 'sqlite',
  targetsArg = '1000',
  concurrencyArg = '50',
  jobMsArg = '1000',
] = process.argv.slice(2);
const targets = Number(targetsArg);
const concurrency = Number(concurrencyArg);
const jobMs = Number(jobMsArg);
const LATENCY_MS = 50;
const TOKEN = 'bench-awx-token';

/** What the fake was asked, by kind: `GET jobs :id`, `POST job_templates :id launch`, ... */
function requestKinds(requests: Array<{ method: string; url: string }>) {
  const kinds: Record<string, number> = {};
  for (const { method, url } of requests) {
    const path = new URL(url, 'http://fake').pathname
      .replace(/^\/api\/v2\//, '')
      .replace(/\/\d+\//g, '/:id/');
    const kind = `${method} ${path}`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

/** Timestamps of the requests the fake received and of each execute(). */
class Profile {
  readonly requests: Array<{ at: number; method: string; url: string }> = [];
  readonly steps = new Map<string, { start: number; end?: number }>();

  constructor(private readonly awx: FakeAwxServer) {
    const list = awx.requests;
    list.push = (...items) => {
      for (const r of items)
        this.requests.push({ at: performance.now(), ...r });
      return Array.prototype.push.apply(list, items);
    };
  }

  wrap(executor: AapExecutor): RunbookExecutor {
    return {
      id: executor.id,
      execute: async ctx => {
        const step = { start: performance.now() } as {
          start: number;
          end?: number;
        };
        this.steps.set(ctx.target.metadata.name, step);
        try {
          return await executor.execute(ctx);
        } finally {
          step.end = performance.now();
        }
      },
    };
  }

  report(ms: number) {
    // the fake records launches in the order it received them
    const launchAt = this.requests
      .filter(r => r.url.includes('/launch/'))
      .map(r => r.at);
    const polls = new Map<number, number[]>();
    for (const r of this.requests) {
      const m = /jobs\/(\d+)\/$/.exec(new URL(r.url, 'http://x').pathname);
      if (m)
        polls.set(Number(m[1]), [...(polls.get(Number(m[1])) ?? []), r.at]);
    }
    const rows: Record<string, number[]> = {
      'execute() to launch received': [],
      'launch received to first poll': [],
      'job end to the poll that sees it': [],
      'that poll to execute() end': [],
      'execute() total': [],
      polls: [],
    };
    this.awx.launches.forEach((launch, i) => {
      const step = this.steps.get(launch.limit!.replace(/-a,.*$/, ''))!;
      const launched = launchAt[i];
      const reads = polls.get(launch.jobId)!;
      // the last read of the job is the one that saw it finished
      const seen = reads[reads.length - 1];
      rows['execute() to launch received'].push(launched - step.start);
      rows['launch received to first poll'].push(reads[0] - launched);
      rows['job end to the poll that sees it'].push(seen - launched - jobMs);
      rows['that poll to execute() end'].push(step.end! - seen);
      rows['execute() total'].push(step.end! - step.start);
      rows.polls.push(reads.length);
    });
    const stat = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return `mean ${mean.toFixed(1)} median ${sorted[
        sorted.length >> 1
      ].toFixed(1)} p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(1)}`;
    };
    for (const [k, xs] of Object.entries(rows))
      console.error(`${k}: ${stat(xs)}`);
    const mean =
      rows['execute() total'].reduce((a, b) => a + b, 0) / this.steps.size;
    const waves = Math.ceil(this.steps.size / concurrency);
    console.error(
      `run ${ms.toFixed(0)} ms = ${waves} waves x mean execute() ${mean.toFixed(
        0,
      )} ms (${(waves * mean).toFixed(0)}) + ${(ms - waves * mean).toFixed(
        0,
      )} ms outside`,
    );
  }
}

async function main() {
  const awx = new FakeAwxServer({
    token: TOKEN,
    templates: [
      {
        id: 1,
        name: 'bench patch',
        askLimitOnLaunch: true,
        tasks: ['patch'],
        durationMs: jobMs,
      },
    ],
  });
  awx.latencyMs = LATENCY_MS;
  await awx.start();
  const executor = AapExecutor.fromConfig(
    new ConfigReader({
      runbooks: {
        aap: { baseUrl: awx.url, token: TOKEN, pollIntervalMs: 1000 },
      },
    }),
  );

  // RUNBOOKS_BENCH_PROFILE: where each target's time goes (stderr)
  const profile = process.env.RUNBOOKS_BENCH_PROFILE
    ? new Profile(awx)
    : undefined;
  const db = await database(client);
  const store = await RunStore.fromKnex(db.knex);
  let finished: (() => void) | undefined;
  const broker = await DefaultRunBroker.create({ logger: quietLogger });
  broker.onRunFinished(() => finished?.());
  const worker = new RunWorker({
    store,
    executors: new Map([['aap', profile?.wrap(executor) ?? executor]]),
    logger: quietLogger,
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
      steps: [
        { id: 'patch', executor: 'aap', input: { jobTemplate: 'bench patch' } },
      ],
    },
  };

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(
    () => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)),
    50,
  );
  worker.start();
  const done = new Promise<void>(r => (finished = r));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const runId = await store.createRun({
    runbookRef: 'runbook:default/bench',
    runbook,
    parameters: {},
    requestedBy: 'user:default/bench',
    dryRun: false,
    concurrency,
    targets: clusterTargets(targets),
  });
  worker.wake();
  await done;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

  const counts = await store.countTargets(runId);
  if (counts.succeeded !== targets)
    throw new Error(`only ${counts.succeeded} of ${targets} succeeded`);
  // exactly one job per target: none launched twice, none skipped
  if (awx.launches.length !== targets)
    throw new Error(`${awx.launches.length} launches for ${targets} targets`);
  profile?.report(ms);
  const idealMs = Math.ceil(targets / concurrency) * (jobMs + 2 * LATENCY_MS);
  await worker.stop();
  await db.cleanup();
  await awx.stop();
  console.log(
    JSON.stringify({
      ms,
      idealMs,
      targets,
      concurrency,
      jobMs,
      latencyMs: LATENCY_MS,
      launches: awx.launches.length,
      requests: awx.requests.length,
      requestKinds: requestKinds(awx.requests),
      // the fake AWX runs in this process: its CPU is counted too
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssBeforeMb: mb(rssBefore),
      rssPeakMb: mb(rssPeak),
      rssGrowthMb: mb(rssPeak - rssBefore),
    }),
  );
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
