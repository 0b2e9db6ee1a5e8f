// Fan-out over two backend replicas (issue 14): 10,000 Cluster targets x 1
// step that waits 1 s, concurrency 1,000, run by two backend processes (each
// createBackend() with the runbooks plugin and its own RunWorker) on one
// fresh PostgreSQL database (runbooks/replicas.ts). Ideal: 10,000 x 1 s /
// 1,000 = 10 s; goal within 1.2x. Checked (the workload fails otherwise):
// every target executed exactly once (no double claim), the run succeeded,
// both replicas executed targets, and never more than 1,000 steps ran at once
// over both (the peak is a figure). Memory: each replica's RSS, idle (after
// startup, before the run) against its peak during the run; goal: at most
// idle + 200 MB.
// RUNBOOKS_REPLICAS_TARGETS=500 makes a quick run (RUNBOOKS_REPLICAS_STEP_MS
// and RUNBOOKS_REPLICAS_CONCURRENCY change the step and the concurrency).
import { loadavg } from 'node:os';
import { runScript } from './runbooks/run.mjs';

export const name =
  'runbooks fan-out on 2 replicas (10,000 targets x 1 s, concurrency 1,000)';

const GROWTH_ALLOWED_MB = 200;

export async function run({ log }) {
  const targets = Number(process.env.RUNBOOKS_REPLICAS_TARGETS ?? 10000);
  const stepMs = Number(process.env.RUNBOOKS_REPLICAS_STEP_MS ?? 1000);
  const concurrency = Number(process.env.RUNBOOKS_REPLICAS_CONCURRENCY ?? 1000);
  log(
    `load average before: ${loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} (2 cores); starting 2 backend replicas on PostgreSQL`,
  );
  const r = await runScript('replicas.ts', [targets, stepMs, concurrency, 2], {
    timeoutMs: 30 * 60_000,
  });
  const replicas = Object.keys(r.perReplica);
  log(
    `${r.targets} targets in ${(r.ms / 1000).toFixed(2)} s (ideal ${(
      r.idealMs / 1000
    ).toFixed(1)} s, the run's creation took ${r.createMs} ms); executions ${
      r.executions
    }, targets executed twice ${r.executedTwice}, re-claimed ${
      r.reclaimed
    }; per replica ${replicas
      .map(n => `${n} ${r.perReplica[n]}`)
      .join(', ')}; peak running at once ${r.peakRunning} (${replicas
      .map(n => `${n} ${r.peakRunningPerReplica[n]}`)
      .join(', ')}); step median ${r.stepMsMedian.toFixed(
      0,
    )} ms; first step started / last ended (ms after the run's creation began) ${replicas
      .map(n => `${n} ${r.span[n].firstStartMs} / ${r.span[n].lastEndMs}`)
      .join(', ')}`,
  );
  log(
    `RSS ${replicas
      .map(
        n =>
          `${n} ${r.rss[n].idleMb} -> ${r.rss[n].peakMb} MB (CPU ${r.cpuMs[n]} ms)`,
      )
      .join(', ')}; PostgreSQL: ${r.pg.transactions} transactions, ${
      r.pg.inserted
    } rows inserted, ${r.pg.updated} updated; load ${r.loadBefore.join(
      ' ',
    )} -> ${r.loadAfter.join(' ')}`,
  );
  // replicas.ts fails on the rest (twice, missing, over the limit, not succeeded)
  const idle = replicas.filter(n => !(r.perReplica[n] > 0));
  if (idle.length > 0)
    throw new Error(`${idle.join(', ')} executed no target: not two replicas`);
  return [
    {
      figure: `2 replicas: run vs ideal (targets x step / concurrency)`,
      value: r.ms,
      baseline: r.idealMs,
      unit: 'ms',
      goal: 1.2,
      better: 'lower',
    },
    {
      figure: `steps running at once over both replicas, peak vs the run's concurrency`,
      value: r.peakRunning,
      baseline: r.concurrency,
      unit: 'steps',
      goal: 1,
      better: 'lower',
    },
    {
      figure: `targets executed more than once (double claims; ${r.executions} executions of ${r.targets} targets)`,
      value: r.executedTwice,
      unit: 'targets',
    },
    ...replicas.map(n => ({
      figure: `${n}: targets executed`,
      value: r.perReplica[n],
      unit: 'targets',
    })),
    ...replicas.flatMap(n => [
      {
        figure: `${n}: RSS peak during the run vs idle (goal: idle + ${GROWTH_ALLOWED_MB} MB)`,
        value: r.rss[n].peakMb,
        baseline: r.rss[n].idleMb,
        unit: 'MB',
        // rounded down: the verdict is never more lenient than idle + 200 MB
        goal:
          Math.floor(
            ((r.rss[n].idleMb + GROWTH_ALLOWED_MB) / r.rss[n].idleMb) * 100,
          ) / 100,
        better: 'lower',
      },
      {
        figure: `${n}: RSS growth during the run (peak - idle)`,
        value: r.rss[n].growthMb,
        unit: 'MB',
      },
      {
        figure: `${n}: CPU time during the run (user + system)`,
        value: r.cpuMs[n],
        unit: 'ms',
      },
    ]),
  ];
}
