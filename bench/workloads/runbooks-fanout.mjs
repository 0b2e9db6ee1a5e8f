// Fan-out: 1,000 Cluster targets x 1 step that waits 100 ms, concurrency 50,
// on SQLite and PostgreSQL, against Backstage's scaffolder running a template
// whose `each:` loop calls a 100 ms action over the same 1,000 items (it runs
// them one after another). Ideal for the engine: 1,000 x 0.1 s / 50 = 2 s.
// Goals (issue 6): within 1.25x of the ideal, i.e. at least 40x faster than
// the scaffolder loop; memory growth <= 200 MB.
// RUNBOOKS_BENCH_TARGETS=200 makes a quick run.
import { loadavg } from 'node:os';
import { databases, runScript } from './runbooks/run.mjs';

export const name = 'runbooks fan-out (1,000 targets x 100 ms, concurrency 50)';

export async function run({ log }) {
  const targets = Number(process.env.RUNBOOKS_BENCH_TARGETS ?? 1000);
  const stepMs = 100;
  const concurrency = 50;
  const ideal = (targets * stepMs) / concurrency;
  log(
    `scaffolder baseline: each: over ${targets} items of a ${stepMs} ms action (takes about ${Math.round(
      (targets * stepMs) / 1000,
    )} s)`,
  );
  const scaffolder = await runScript('scaffolder.ts', [targets, stepMs], {
    timeoutMs: 30 * 60_000,
  });
  log(`scaffolder: ${(scaffolder.ms / 1000).toFixed(1)} s`);
  const results = [];
  log(
    `load average before the engine runs: ${loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} (2 cores)`,
  );
  for (const db of await databases(log)) {
    const engine = await runScript('engine.ts', [
      db,
      targets,
      stepMs,
      concurrency,
    ]);
    log(
      `${db}: ${(engine.ms / 1000).toFixed(2)} s (ideal ${(
        ideal / 1000
      ).toFixed(1)} s), RSS ${engine.rssBeforeMb} -> ${engine.rssPeakMb} MB`,
    );
    results.push(
      {
        figure: `${db}: runbooks run vs scaffolder each: loop (wall time)`,
        value: engine.ms,
        baseline: scaffolder.ms,
        unit: 'ms',
        goal: 1 / 40,
        better: 'lower',
      },
      {
        figure: `${db}: runbooks run vs ideal (targets x step / concurrency)`,
        value: engine.ms,
        baseline: ideal,
        unit: 'ms',
        goal: 1.25,
        better: 'lower',
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
