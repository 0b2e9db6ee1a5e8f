/*
 * Benchmark body for bench/workloads/fleet-kill-restart.mjs (run with the
 * CLI's transpiler, never imported by the module): the kill scenario of
 * src/reconcile/killDuringIngestion.test.ts at benchmark size. Prints progress
 * on stderr and one JSON line on stdout.
 */
import { runKillScenario } from './killScenario';

const clusters = Number(process.env.FLEET_KILL_CLUSTERS ?? 10_000);
const kills = Number(process.env.FLEET_KILL_KILLS ?? 20);
const client =
  process.env.FLEET_KILL_DB === 'pg'
    ? ('pg' as const)
    : ('better-sqlite3' as const);
const seed = Number(
  process.env.FLEET_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31),
);
const convergeWithinMs = Number(process.env.FLEET_KILL_WITHIN_MS ?? 600_000);

runKillScenario({
  client,
  clusters,
  kills,
  seed,
  maxKillDelayMs: 180_000,
  convergeWithinMs,
  log: m => process.stderr.write(`${m}\n`),
}).then(
  cycles => {
    process.stdout.write(
      `${JSON.stringify({ clusters, kills, seed, client, cycles })}\n`,
    );
    process.exit(0);
  },
  e => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  },
);
