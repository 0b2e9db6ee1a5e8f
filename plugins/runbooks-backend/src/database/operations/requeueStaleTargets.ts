import { Knex } from 'knex';
import { insertLogs } from '../DatabaseLogStore';
import { databaseNow } from '../sql';
import { TargetRow } from '../tables';

/**
 * Puts back the running targets whose worker stopped heartbeating for
 * `staleAfterMs`, so another worker claims them; the target resumes after
 * its last completed step (its step results stay in the row). Each put-back
 * is conditional on the claim it saw: a worker that comes back in between
 * keeps its target. Returns how many were put back.
 */
export async function requeueStaleTargets(
  db: Knex,
  now: number,
  staleAfterMs: number,
): Promise<number> {
  // the partial index runbooks_targets_running_idx finds these
  const stale = await db<TargetRow>('runbooks_targets')
    .where('status', 'running')
    .andWhere('heartbeat_at', '<', now - staleAfterMs)
    .select('id', 'run_id', 'claim_id', 'claimed_by');
  let requeued = 0;
  for (const row of stale) {
    const put = await db<TargetRow>('runbooks_targets')
      .where({ id: row.id, claim_id: row.claim_id, status: 'running' })
      .update({
        status: 'pending',
        claim_id: null,
        claimed_by: null,
        changed_at: databaseNow(db),
      });
    if (!put) continue;
    requeued += 1;
    await insertLogs(
      db,
      [
        {
          runId: row.run_id,
          targetId: row.id,
          level: 'warn',
          message: `Worker ${row.claimed_by} stopped heartbeating; the target is queued again and resumes after its last completed step`,
        },
      ],
      now,
    );
  }
  return requeued;
}
