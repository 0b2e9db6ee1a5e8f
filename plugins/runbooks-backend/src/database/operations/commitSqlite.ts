import { Knex } from 'knex';
import { randomUUID } from 'crypto';
import { insertLogs } from '../DatabaseLogStore';
import { toClaimed } from '../mappers';
import { chunks, databaseNowSql, rowsOf, values } from '../sql';
import { ClaimedTarget, ClaimOptions, Completion } from '../types';
import { claimFromRun, claimPending } from './claimTargets';
import { completionLines } from './completionLines';

/**
 * `RunStore.commit` on SQLite, in one transaction (SQLite's transactions
 * are serial, so nothing here needs a lock): the completions whose claim is
 * held are written, then the slots their target ends freed pass to the
 * same runs' next pending targets, then (with `search`) any run's.
 */
export async function commitSqlite(
  db: Knex,
  completions: Completion[],
  claim: ClaimOptions | undefined,
  now: number,
): Promise<{ held: boolean[]; claimed: ClaimedTarget[] }> {
  return db.transaction(async tx => {
    const heldIds = await writeCompletions(tx, completions, now);
    const held = completions.map(c => heldIds.has(c.claim.targetId));
    if (!claim) return { held, claimed: [] };
    const claimId = randomUUID();
    const claimed: ClaimedTarget[] = [];
    // Slots freed by this batch's target ends pass straight to the same
    // runs' next targets: as many start as ended, in one commit, so the
    // run's count of running targets never changes and needs no lock.
    const freed = new Map<string, number>();
    completions.forEach((c, i) => {
      if (c.finish && held[i]) {
        freed.set(c.claim.runId, (freed.get(c.claim.runId) ?? 0) + 1);
      }
    });
    let left = claim.limit;
    for (const run of claim.handOff ?? []) {
      const count = Math.min(left, run.max, freed.get(run.runId) ?? 0);
      if (count <= 0) continue;
      const rows = await claimFromRun(tx, {
        runId: run.runId,
        limit: count,
        claimId,
        workerId: claim.workerId,
        now,
      });
      claimed.push(...rows.map(row => toClaimed(row, claimId, run)));
      left -= rows.length;
    }
    if (claim.search && left > 0) {
      const found = await claimPending(tx, { ...claim, limit: left }, now);
      claimed.push(...found.claimed);
    }
    return { held, claimed };
  });
}

/**
 * Set-based, so a batch costs the same few statements however many targets
 * it holds: a conditional update of the target rows (each only where the
 * claim is still held) for those that go on running and one for those that
 * end, and one insert of the held ones' log lines. Returns the ids of the
 * targets whose claim was held.
 */
async function writeCompletions(
  tx: Knex.Transaction,
  completions: Completion[],
  now: number,
): Promise<Set<string>> {
  const held = new Set<string>();
  for (const chunk of chunks(completions, 500)) {
    for (const ending of [false, true]) {
      const part = chunk.filter(c => Boolean(c.finish) === ending);
      if (part.length === 0) continue;
      for (const id of await updateHeld(tx, part, ending, now)) held.add(id);
    }
  }
  const lines = completions
    .filter(c => held.has(c.claim.targetId))
    .flatMap(c => completionLines(c, now));
  await insertLogs(tx, lines, now);
  return held;
}

/**
 * One UPDATE of held targets that all end (`ending`) or all go on. The
 * second kind leaves the status and `changed_at` (and so their indexes)
 * alone: a step's result rewrites only the steps and the heartbeat.
 */
async function updateHeld(
  tx: Knex.Transaction,
  completions: Completion[],
  ending: boolean,
  now: number,
): Promise<string[]> {
  const input = values(
    completions.map(c => [
      c.claim.targetId,
      c.claim.claimId,
      c.finish?.status ?? null,
      c.finish?.error ?? null,
      c.steps ? JSON.stringify(c.steps) : null,
    ]),
  );
  const end = ending
    ? `status = i.column3, finished_at = CAST(? AS BIGINT),
       error = i.column4, changed_at = ${databaseNowSql(tx)},`
    : '';
  const rows = rowsOf<{ id: string }>(
    await tx.raw(
      `UPDATE runbooks_targets SET ${end}
         steps = coalesce(i.column5, runbooks_targets.steps),
         heartbeat_at = CAST(? AS BIGINT)
       FROM (VALUES ${input.sql}) AS i
       WHERE runbooks_targets.id = i.column1
         AND runbooks_targets.claim_id = i.column2
         AND runbooks_targets.status = 'running'
       RETURNING runbooks_targets.id`,
      [...(ending ? [now] : []), now, ...input.bindings],
    ),
  );
  return rows.map(r => r.id);
}
