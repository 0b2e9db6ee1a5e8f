// The aap executor: 1,000 Cluster targets x 1 `aap` step at concurrency 50,
// on SQLite and PostgreSQL, the real AapExecutor (default 1 s poll interval)
// against a fake AWX in the same process answering every request in 50 ms,
// each job lasting 1 s. Goal (issue: "1,000 targets through the aap executor
// against the local AWX server answering in 50 ms, at concurrency 50"):
// within 1.2x of the ideal, ceil(targets / concurrency) waves x (job + 2 x
// latency): the job's second, the read that sees it finished and the events
// read after that (the launch's answer comes while the job runs).
// Why a 1 s job: a short one, as long as the executor's default poll
// interval, so how soon the executor sees a job finish counts (over jobs of
// minutes that is lost in their length); 20 waves of it keep a run ~25 s.
// RUNBOOKS_BENCH_TARGETS=200 makes a quick run; RUNBOOKS_BENCH_REPEATS sets
// the runs per database (default 3, the median counts; one takes ~25 s).
import { loadavg } from 'node:os';
import { databases, runScript } from './runbooks/run.mjs';

export const name =
  'runbooks aap executor (1,000 targets x 1 s AWX job, 50 ms latency, concurrency 50)';

const REPEATS = Number(process.env.RUNBOOKS_BENCH_REPEATS ?? 3);
const LATENCY_MS = 50;
const JOB_MS = 1000;
const CONCURRENCY = 50;

export async function run({ log }) {
  const targets = Number(process.env.RUNBOOKS_BENCH_TARGETS ?? 1000);
  const ideal = Math.ceil(targets / CONCURRENCY) * (JOB_MS + 2 * LATENCY_MS);
  log(
    `load average before the runs: ${loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} (2 cores)`,
  );
  const dbs = await databases(log);
  const samples = new Map(dbs.map(db => [db, []]));
  // the databases take turns, so a burst of load elsewhere falls on both
  for (let round = 0; round < REPEATS; round++) {
    for (const db of dbs) {
      const sample = await runScript('aap.ts', [
        db,
        targets,
        CONCURRENCY,
        JOB_MS,
      ]);
      if (sample.idealMs !== ideal || sample.launches !== targets) {
        throw new Error(`unexpected sample: ${JSON.stringify(sample)}`);
      }
      samples.get(db).push(sample);
    }
  }
  const results = [];
  for (const db of dbs) {
    const sorted = [...samples.get(db)].sort((a, b) => a.ms - b.ms);
    const mid = sorted[sorted.length >> 1];
    log(
      `${db}: ${sorted
        .map(s => (s.ms / 1000).toFixed(2))
        .join(' ')} s, median ${(mid.ms / 1000).toFixed(2)} s (ideal ${(
        ideal / 1000
      ).toFixed(1)} s); ${mid.launches} launches, ${
        mid.requests
      } requests to AWX (${Object.entries(mid.requestKinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}); RSS ${mid.rssBeforeMb} -> ${mid.rssPeakMb} MB`,
    );
    results.push(
      {
        figure: `${db}: aap run, median of ${sorted.length}, vs ideal (ceil(targets / concurrency) x (job + 2 x latency))`,
        value: mid.ms,
        baseline: ideal,
        unit: 'ms',
        goal: 1.2,
        better: 'lower',
      },
      {
        figure: `${db}: requests the fake AWX served (${targets} launches)`,
        value: mid.requests,
        unit: 'requests',
      },
      {
        figure: `${db}: CPU time of the run, engine and fake AWX (user + system)`,
        value: mid.cpuMs,
        unit: 'ms',
      },
      {
        figure: `${db}: memory growth during the run (RSS peak - before)`,
        value: mid.rssGrowthMb,
        unit: 'MB',
      },
    );
  }
  return results;
}
