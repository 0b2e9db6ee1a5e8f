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
      claimed.push(...(await claimPending(tx, { ...claim, limit: left }, now)));
    }
    return { held, claimed };
  });
}

/**
 * Set-based, so a batch costs the same two statements however many targets
 * it holds: one conditional update of the target rows (state and step
 * results, each only where the claim is still held) and one insert of the
 * held ones' log lines. Returns the ids of the targets whose claim was held.
 */
async function writeCompletions(
  tx: Knex.Transaction,
  completions: Completion[],
  now: number,
): Promise<Set<string>> {
  const held = new Set<string>();
  for (const chunk of chunks(completions, 500)) {
    const input = values(
      chunk.map(c => [
        c.claim.targetId,
        c.claim.claimId,
        c.finish?.status ?? null,
        c.finish?.error ?? null,
        c.steps ? JSON.stringify(c.steps) : null,
      ]),
    );
    // column3 is the new status (null: the target goes on running)
    const rows = rowsOf<{ id: string }>(
      await tx.raw(
        `UPDATE runbooks_targets SET
           status = coalesce(i.column3, runbooks_targets.status),
           finished_at = CASE WHEN i.column3 IS NULL
             THEN runbooks_targets.finished_at ELSE CAST(? AS BIGINT) END,
           error = CASE WHEN i.column3 IS NULL
             THEN runbooks_targets.error ELSE i.column4 END,
           steps = coalesce(i.column5, runbooks_targets.steps),
           heartbeat_at = CAST(? AS BIGINT),
           changed_at = CASE WHEN i.column3 IS NULL
             THEN runbooks_targets.changed_at ELSE ${databaseNowSql(tx)} END
         FROM (VALUES ${input.sql}) AS i
         WHERE runbooks_targets.id = i.column1
           AND runbooks_targets.claim_id = i.column2
           AND runbooks_targets.status = 'running'
         RETURNING runbooks_targets.id`,
        [now, now, ...input.bindings],
      ),
    );
    for (const row of rows) held.add(row.id);
  }
  const lines = completions
    .filter(c => held.has(c.claim.targetId))
    .flatMap(c => completionLines(c, now));
  await insertLogs(tx, lines, now);
  return held;
}
