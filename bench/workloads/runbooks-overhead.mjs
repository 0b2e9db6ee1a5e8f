// Engine overhead: 1,000 targets x 1 no-op step (concurrency 50): target-runs
// per minute, on SQLite and PostgreSQL, against the scaffolder's serial no-op
// `each:` loop over the same 1,000 items. Goals (issue 6): >= 12,000
// target-runs/min on this 2-core machine, never slower than the scaffolder
// loop; memory growth <= 200 MB.
import { loadavg } from 'node:os';
import { databases, runScript } from './runbooks/run.mjs';

export const name = 'runbooks engine overhead (1,000 no-op targets)';

export async function run({ log }) {
  const targets = Number(process.env.RUNBOOKS_BENCH_TARGETS ?? 1000);
  const perMinute = ms => (targets / ms) * 60_000;
  const scaffolder = await runScript('scaffolder.ts', [targets, 0]);
  log(
    `scaffolder no-op loop: ${(scaffolder.ms / 1000).toFixed(
      2,
    )} s = ${Math.round(perMinute(scaffolder.ms))} items/min`,
  );
  const results = [];
  log(
    `load average before the engine runs: ${loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} (2 cores)`,
  );
  for (const db of await databases(log)) {
    const engine = await runScript('engine.ts', [db, targets, 0, 50]);
    log(
      `${db}: ${(engine.ms / 1000).toFixed(2)} s, RSS ${
        engine.rssBeforeMb
      } -> ${engine.rssPeakMb} MB`,
    );
    results.push(
      {
        figure: `${db}: target-runs/min vs scaffolder no-op loop items/min`,
        value: perMinute(engine.ms),
        baseline: perMinute(scaffolder.ms),
        unit: '/min',
        goal: 1,
        better: 'higher',
      },
      {
        figure: `${db}: target-runs/min vs the 12,000/min goal`,
        value: perMinute(engine.ms),
        baseline: 12_000,
        unit: '/min',
        goal: 1,
        better: 'higher',
      },
      {
        figure: `${db}: engine CPU time (user + system)`,
        value: engine.cpuMs,
        unit: 'ms',
      },
      {
        figure: `${db}: engine memory growth during the run (RSS peak - before)`,
        value: engine.rssGrowthMb,
        unit: 'MB',
      },
    );
  }
  return results;
}
