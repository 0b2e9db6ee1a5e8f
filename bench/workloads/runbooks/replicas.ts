/*
 * Two (or more) backend replicas on one PostgreSQL database: a fresh
 * database (dropped after), migrated here, then `replicas` backend
 * processes (replica.ts: createBackend() with the runbooks plugin and a
 * `bench` executor that waits stepMs), each with its own RunWorker
 * (runbooks.worker.maxParallel = the run's concurrency, the other settings
 * the plugin's defaults: poll 1 s, heartbeat 5 s). Once both are up and have
 * heartbeated (so each knows the other), one run of N Cluster targets x one
 * `bench` step at the given concurrency is written to the database, then
 * announced to both replicas the way the replica that creates a run does:
 * a `wake` on the events service topic `runbooks.runs`, which each replica's
 * broker hears from its events service (replica.ts publishes it there on an
 * IPC message, as an events bus would deliver it). Without the announcement
 * (RUNBOOKS_REPLICAS_NO_WAKE=1) the replicas find the run by polling, as
 * they would with no events bus at all.
 *
 * Measured: the time from the run's creation to its end (its finished_at);
 * each replica's RSS from /proc/<pid>/status every 200 ms, idle (the median
 * of the last second before the run) and peak during the run; each
 * replica's CPU time during the run; from the replicas' journals, how often
 * each target's step executed and by which replica, and the most steps
 * executing at once over all replicas (a sweep over the journaled start and
 * end times); from the database, the claims per target and the run's
 * transactions (pg_stat_database).
 * Throws (exit 1) when a target executed twice or not at all, or the run
 * did not succeed.
 *
 * Arguments: targets (10000), step ms (1000), concurrency (1000), replicas (2).
 * RUNBOOKS_BENCH_PG: the server (default postgresql://postgres@127.0.0.1:5432/postgres).
 * RUNBOOKS_REPLICAS_CPU_PROF=<dir>: the replicas write --cpu-prof profiles there.
 * RUNBOOKS_REPLICAS_STATEMENTS=1: each replica's statements, by kind, with
 * their wall time, to stderr (from the start of the replica: startup too).
 * RUNBOOKS_REPLICAS_KEEP=1: keeps the replicas' logs and journals.
 * RUNBOOKS_REPLICAS_WORKER='{"parallelCommits":2}': more runbooks.worker config.
 * Prints one JSON line (see the end of main).
 */
import { RunStore } from '@fleetdeck/plugin-runbooks-backend';
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import knexFactory from 'knex';
import { createServer } from 'net';
import { loadavg, tmpdir } from 'os';
import { join, resolve } from 'path';
import yaml from 'yaml';

const [
  targetsArg = '10000',
  stepMsArg = '1000',
  concurrencyArg = '1000',
  replicasArg = '2',
] = process.argv.slice(2);
const targets = Number(targetsArg);
const stepMs = Number(stepMsArg);
const concurrency = Number(concurrencyArg);
const replicaCount = Number(replicasArg);
const SAMPLE_MS = 200;
/** Idle after both are up: longer than a heartbeat, so each counts the other. */
const SETTLE_MS = 7000;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const mb = (kb: number) => Math.round(kb / 102.4) / 10;
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise(r => server.close(r));
  return port;
}

/** VmRSS of a process, kB (0 once it is gone). */
function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU time of a process, ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based), in clock ticks (100/s)
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The Cluster targets, as the fleet inventory provider emits them (trusted). */
const clusterTargets = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    entityRef: `cluster:default/cluster-${i}`,
    entity: {
      apiVersion: 'fleetdeck.io/v1alpha1',
      kind: 'Cluster',
      metadata: {
        name: `cluster-${i}`,
        namespace: 'default',
        annotations: {
          'backstage.io/managed-by-location': 'fleet-inventory:ansible/bench',
          'backstage.io/managed-by-origin-location':
            'fleet-inventory:ansible/bench',
        },
      },
      spec: {
        engine: 'kafka',
        environment: 'staging',
        owner: 'group:default/sre',
        nodes: [`cluster-${i}-a`, `cluster-${i}-b`, `cluster-${i}-c`],
      },
    },
    needsApproval: false,
  }));

/** Read from the catalog location the replicas' config lists (trusted). */
const LOCATION = '/srv/fleetdeck/runbooks/locations.yaml';
const runbook = {
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Runbook',
  metadata: {
    name: 'bench',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': `file:/srv/fleetdeck/runbooks/bench/catalog-info.yaml`,
      'backstage.io/managed-by-origin-location': `file:${LOCATION}`,
    },
  },
  spec: {
    owner: 'group:default/sre',
    targets: { kind: 'Cluster' },
    concurrency,
    steps: [{ id: 'wait', executor: 'bench' }],
  },
};

/** A graceful stop (writes the --cpu-prof profiles), then no mercy. */
async function stopAll(replicas: Replica[]) {
  await Promise.all(
    replicas.map(async r => {
      if (r.child.exitCode !== null || r.child.signalCode !== null) return;
      const exited = new Promise(ok => r.child.once('exit', () => ok(true)));
      r.child.kill('SIGTERM');
      if (!(await Promise.race([exited, sleep(15_000).then(() => false)])))
        r.child.kill('SIGKILL');
    }),
  );
}

interface Replica {
  name: string;
  child: ChildProcess;
  journal: string;
  log: string;
  samples: { at: number; kb: number }[];
  spawnedAt: number;
}

async function main() {
  const url =
    process.env.RUNBOOKS_BENCH_PG ??
    'postgresql://postgres@127.0.0.1:5432/postgres';
  const prefix = `rbrepl_${randomBytes(4).toString('hex')}_`;
  const dbName = `${prefix}runbooks`;
  const dir = mkdtempSync(join(tmpdir(), 'rbrepl-'));
  const admin = knexFactory({ client: 'pg', connection: url });
  await admin.raw(`CREATE DATABASE ${dbName}`);
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  const knex = knexFactory({
    client: 'pg',
    connection: u.toString(),
    pool: { min: 0, max: 2 },
  });
  const replicas: Replica[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    // migrated here, before the replicas race to do it
    const store = await RunStore.fromKnex(knex);

    const start = async (name: string): Promise<Replica> => {
      const port = await freePort();
      const config = join(dir, `${name}.yaml`);
      writeFileSync(
        config,
        yaml.stringify({
          backend: {
            baseUrl: `http://127.0.0.1:${port}`,
            listen: { port, host: '127.0.0.1' },
            database: { client: 'pg', connection: url, prefix },
          },
          catalog: { locations: [{ type: 'file', target: LOCATION }] },
          runbooks: {
            worker: {
              maxParallel: concurrency,
              // e.g. {"parallelCommits":2}, to try the worker's settings
              ...JSON.parse(process.env.RUNBOOKS_REPLICAS_WORKER ?? '{}'),
            },
            schedules: { enabled: false },
          },
        }),
      );
      const log = join(dir, `${name}.log`);
      const fd = openSync(log, 'a');
      const profDir = process.env.RUNBOOKS_REPLICAS_CPU_PROF;
      const spawnedAt = Date.now();
      const child = spawn(
        process.execPath,
        [
          ...(profDir
            ? ['--cpu-prof', '--cpu-prof-dir', resolve(profDir)]
            : []),
          '-r',
          require.resolve('@backstage/cli/config/nodeTransform.cjs'),
          resolve(__dirname, 'replica.ts'),
          '--config',
          config,
        ],
        {
          env: {
            ...process.env,
            NODE_ENV: 'production',
            LOG_LEVEL: 'warn',
            RUNBOOKS_BENCH_JOURNAL: join(dir, `${name}.journal`),
            RUNBOOKS_BENCH_STEP_MS: String(stepMs),
          },
          stdio: ['ignore', fd, fd, 'ipc'],
        },
      );
      return {
        name,
        child,
        journal: join(dir, `${name}.journal`),
        log,
        samples: [],
        spawnedAt,
      };
    };

    sampler = setInterval(() => {
      const at = Date.now();
      for (const r of replicas) r.samples.push({ at, kb: rssKb(r.child.pid!) });
    }, SAMPLE_MS);
    const ready = (r: Replica) =>
      new Promise<void>((ok, fail) => {
        const timer = setTimeout(
          () =>
            fail(
              new Error(
                `${r.name} did not start in 180 s: ${readFileSync(
                  r.log,
                  'utf8',
                ).slice(-3000)}`,
              ),
            ),
          180_000,
        );
        r.child.on('message', (m: { type: string }) => {
          if (m?.type === 'ready') {
            clearTimeout(timer);
            ok();
          }
        });
        r.child.on('exit', code => {
          clearTimeout(timer);
          fail(
            new Error(
              `${r.name} exited (${code}): ${readFileSync(r.log, 'utf8').slice(
                -3000,
              )}`,
            ),
          );
        });
      });
    // one after the other: replicas starting at once race for the
    // migrations lock of the tables they share (one once hung at startup)
    for (let i = 0; i < replicaCount; i++) {
      const replica = await start(`replica-${String.fromCharCode(97 + i)}`);
      replicas.push(replica);
      await ready(replica);
    }
    await sleep(SETTLE_MS);
    const workers = await knex('runbooks_workers').select('id', 'free_slots');

    const idleFrom = Date.now() - 1000;
    const idle = replicas.map(r =>
      median(r.samples.filter(s => s.at >= idleFrom).map(s => s.kb)),
    );
    const cpuBefore = replicas.map(r => cpuMs(r.child.pid!));
    const pgBefore = await knex('pg_stat_database')
      .where('datname', dbName)
      .first('xact_commit', 'tup_inserted', 'tup_updated');
    const load = loadavg();
    const started = Date.now();
    const runId = await store.createRun({
      runbookRef: 'runbook:default/bench',
      runbook,
      parameters: {},
      requestedBy: 'user:default/bench',
      dryRun: false,
      concurrency,
      targets: clusterTargets(targets),
    });
    const created = Date.now();
    if (!process.env.RUNBOOKS_REPLICAS_NO_WAKE) {
      for (const r of replicas) r.child.send({ type: 'wake' });
    }
    let run: { status: string; finished_at: string | null };
    const deadline =
      started + Math.max(120_000, 20 * stepMs * (targets / concurrency));
    for (;;) {
      run = await knex('runbooks_runs')
        .where('id', runId)
        .first('status', 'finished_at');
      if (run.status !== 'running') break;
      if (Date.now() > deadline)
        throw new Error(
          `run not finished after ${
            (Date.now() - started) / 1000
          } s: ${JSON.stringify(await store.countTargets(runId))}`,
        );
      await sleep(100);
    }
    const ended = Date.now();
    const cpu = replicas.map((r, i) => cpuMs(r.child.pid!) - cpuBefore[i]);
    clearInterval(sampler);
    sampler = undefined;
    const ms = Number(run.finished_at ?? ended) - started;
    const peak = replicas.map(r =>
      Math.max(...r.samples.filter(s => s.at >= started).map(s => s.kb)),
    );

    // every replica's journal, complete
    const local = await Promise.all(
      replicas.map(
        r =>
          new Promise<{
            executions: number;
            peakRunning: number;
            statements: Record<string, { count: number; ms: number }>;
          }>(ok => {
            r.child.once('message', ok as any);
            r.child.send({ type: 'flush' });
          }),
      ),
    );
    replicas.forEach((r, i) => {
      const list = Object.entries(local[i].statements ?? {});
      if (list.length === 0) return;
      console.error(
        `${r.name} statements (count, total wall ms, kind):\n${list
          .sort((a, b) => b[1].ms - a[1].ms)
          .map(([k, v]) => `${v.count}\t${Math.round(v.ms)}\t${k}`)
          .join('\n')}`,
      );
    });
    const events: [number, number][] = [];
    const perTarget = new Map<string, number>();
    const perReplica: Record<string, number> = {};
    const durations: number[] = [];
    /** Per replica: its first step's start and last step's end, ms after the run's creation began. */
    const span: Record<string, { firstStartMs: number; lastEndMs: number }> =
      {};
    for (const r of replicas) {
      const lines = readFileSync(r.journal, 'utf8').split('\n').filter(Boolean);
      perReplica[r.name] = lines.length;
      let first = Infinity;
      let last = 0;
      for (const line of lines) {
        const [target, s, e] = line.split(' ');
        perTarget.set(target, (perTarget.get(target) ?? 0) + 1);
        events.push([Number(s), 1], [Number(e), -1]);
        durations.push(Number(e) - Number(s));
        first = Math.min(first, Number(s));
        last = Math.max(last, Number(e));
      }
      span[r.name] = {
        firstStartMs: Math.round(first - started),
        lastEndMs: Math.round(last - started),
      };
    }
    // at equal times ends before starts (a slot is handed on after its end)
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let runningNow = 0;
    let peakRunning = 0;
    for (const [, d] of events) {
      runningNow += d;
      peakRunning = Math.max(peakRunning, runningNow);
    }
    // the replicas' connections report their statistics when they close
    await stopAll(replicas);
    await sleep(500);
    const pgAfter = await knex('pg_stat_database')
      .where('datname', dbName)
      .first('xact_commit', 'tup_inserted', 'tup_updated');
    const twice = [...perTarget].filter(([, n]) => n > 1);
    const counts = await store.countTargets(runId);
    const [{ reclaimed }] = await knex('runbooks_targets')
      .where('run_id', runId)
      .andWhere('claims', '>', 1)
      .count({ reclaimed: '*' });
    const result = {
      ms,
      createMs: created - started,
      idealMs: (targets * stepMs) / concurrency,
      targets,
      stepMs,
      concurrency,
      status: run.status,
      counts,
      executions: events.length / 2,
      executedTargets: perTarget.size,
      executedTwice: twice.length,
      twiceExamples: twice.slice(0, 5),
      reclaimed: Number(reclaimed),
      perReplica,
      peakRunning,
      peakRunningPerReplica: Object.fromEntries(
        replicas.map((r, i) => [r.name, local[i].peakRunning]),
      ),
      span,
      // the run, in ms after each replica's process was spawned (to find it
      // in a --cpu-prof profile)
      profileWindowMs: Object.fromEntries(
        replicas.map(r => [
          r.name,
          [started - r.spawnedAt, ended - r.spawnedAt],
        ]),
      ),
      stepMsMedian: median(durations),
      stepMsMax: Math.max(...durations),
      workersBeforeRun: workers.length,
      rss: Object.fromEntries(
        replicas.map((r, i) => [
          r.name,
          {
            idleMb: mb(idle[i]),
            peakMb: mb(peak[i]),
            growthMb: mb(peak[i] - idle[i]),
          },
        ]),
      ),
      cpuMs: Object.fromEntries(replicas.map((r, i) => [r.name, cpu[i]])),
      pg: {
        transactions:
          Number(pgAfter.xact_commit) - Number(pgBefore.xact_commit),
        inserted: Number(pgAfter.tup_inserted) - Number(pgBefore.tup_inserted),
        updated: Number(pgAfter.tup_updated) - Number(pgBefore.tup_updated),
      },
      loadBefore: load.map(l => Math.round(l * 100) / 100),
      loadAfter: loadavg().map(l => Math.round(l * 100) / 100),
    };
    const problems = [
      run.status !== 'succeeded' && `the run ended ${run.status}`,
      counts.succeeded !== targets &&
        `${counts.succeeded} of ${targets} targets succeeded`,
      perTarget.size !== targets &&
        `${perTarget.size} of ${targets} targets executed`,
      twice.length > 0 &&
        `${twice.length} targets executed more than once (${twice
          .slice(0, 5)
          .map(([t, n]) => `${t} x${n}`)
          .join(', ')})`,
      peakRunning > concurrency &&
        `${peakRunning} steps ran at once, over the concurrency ${concurrency}`,
    ].filter(Boolean);
    if (problems.length > 0)
      throw new Error(`${problems.join('; ')}\n${JSON.stringify(result)}`);
    console.log(JSON.stringify(result));
  } finally {
    if (sampler) clearInterval(sampler);
    await stopAll(replicas);
    if (process.env.RUNBOOKS_REPLICAS_KEEP)
      console.error(`replica logs and journals kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
    await knex.destroy();
    await admin.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.destroy();
  }
}

main()
  .then(() => process.exit(0))
  .catch(e => {
    console.error(e);
    process.exit(1);
  });
