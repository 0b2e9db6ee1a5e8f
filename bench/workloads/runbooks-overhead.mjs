// Engine overhead: 1,000 targets x 1 no-op step (concurrency 50): target-runs
// per minute, on SQLite and PostgreSQL, against the scaffolder's serial no-op
// `each:` loop over the same 1,000 items. Goals (issue 6): >= 12,000
// target-runs/min on this 2-core machine, never slower than the scaffolder
// loop; memory growth <= 200 MB.
import { loadavg } from 'node:os';
import { databases, runScript } from './runbooks/run.mjs';

export const name = 'runbooks engine overhead (1,000 no-op targets)';

// Each side runs REPEATS times and the median counts: a run lasts a few
// hundred milliseconds, so one sample swings with whatever else the machine
// does (the scaffolder loop has measured anywhere from 0.21 s to 0.44 s).
const REPEATS = Number(process.env.RUNBOOKS_BENCH_REPEATS ?? 5);

async function median(script, args, log, label) {
  const samples = [];
  for (let i = 0; i < REPEATS; i++) samples.push(await runScript(script, args));
  samples.sort((a, b) => a.ms - b.ms);
  log(
    `${label}: ${samples
      .map(s => (s.ms / 1000).toFixed(2))
      .join(' ')} s, median ${(samples[samples.length >> 1].ms / 1000).toFixed(
      2,
    )} s`,
  );
  return samples[samples.length >> 1];
}

export async function run({ log }) {
  const targets = Number(process.env.RUNBOOKS_BENCH_TARGETS ?? 1000);
  const perMinute = ms => (targets / ms) * 60_000;
  const scaffolder = await median(
    'scaffolder.ts',
    [targets, 0],
    log,
    'scaffolder no-op loop',
  );
  const results = [];
  log(
    `load average before the engine runs: ${loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} (2 cores)`,
  );
  for (const db of await databases(log)) {
    const engine = await median(
      'engine.ts',
      [db, targets, 0, 50],
      log,
      `${db} engine`,
    );
    log(`${db}: RSS ${engine.rssBeforeMb} -> ${engine.rssPeakMb} MB`);
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
