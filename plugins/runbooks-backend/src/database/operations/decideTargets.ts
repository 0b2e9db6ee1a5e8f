import { Knex } from 'knex';
import { chunks, databaseNow } from '../sql';
import { RunRow, TargetRow } from '../tables';
import { finalizeRun } from './finalizeRun';

/**
 * Cancels a run: its pending and waiting targets at once; running ones end
 * through their workers, which see the run cancelled on their next
 * heartbeat. False when the run was not running.
 */
export async function cancelRun(
  db: Knex,
  runId: string,
  now: number,
): Promise<boolean> {
  return db.transaction(async tx => {
    const updated = await tx<RunRow>('runbooks_runs')
      .where({ id: runId, status: 'running' })
      .update({ status: 'cancelled', finished_at: now });
    if (!updated) return false;
    await tx<TargetRow>('runbooks_targets')
      .where('run_id', runId)
      .whereIn('status', ['pending', 'awaiting_approval'])
      .update({
        status: 'cancelled',
        finished_at: now,
        changed_at: databaseNow(tx),
      });
    return true;
  });
}

/**
 * Approves (to pending) or rejects targets waiting for approval, all of the
 * run's or `targetIds`; returns the ids decided. A rejection can end the
 * run.
 */
export async function decide(
  db: Knex,
  options: {
    runId: string;
    targetIds?: string[];
    approve: boolean;
    by: string;
    comment?: string;
  },
  now: number,
): Promise<string[]> {
  const ids = await db.transaction(async tx => {
    let query = tx<TargetRow>('runbooks_targets')
      .where({ run_id: options.runId, status: 'awaiting_approval' })
      .select('id');
    if (options.targetIds) query = query.whereIn('id', options.targetIds);
    const found = (await query).map(r => r.id);
    for (const chunk of chunks(found, 500)) {
      await tx<TargetRow>('runbooks_targets')
        .whereIn('id', chunk)
        .andWhere('status', 'awaiting_approval')
        .update({
          status: options.approve ? 'pending' : 'rejected',
          decided_by: options.by,
          decision_comment: options.comment ?? null,
          finished_at: options.approve ? null : now,
          changed_at: databaseNow(tx),
        });
    }
    return found;
  });
  if (!options.approve && ids.length) await finalizeRun(db, options.runId, now);
  return ids;
}
