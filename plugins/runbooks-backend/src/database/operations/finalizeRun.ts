import { RunStatus, TargetCounts } from '@fleetdeck/plugin-runbooks-common';
import { Knex } from 'knex';
import { NON_TERMINAL, toCounts } from '../mappers';
import { RunRow, TargetRow } from '../tables';

/** A run's targets counted by status (every status present). */
export async function countTargets(
  db: Knex,
  runId: string,
): Promise<TargetCounts> {
  const rows = await db<TargetRow>('runbooks_targets')
    .where('run_id', runId)
    .groupBy('status')
    .select('status')
    .count({ count: '*' });
  return toCounts(rows as { status: TargetRow['status']; count: number }[]);
}

/**
 * Sets the run's final status once no target is left to do; returns it when
 * it changed now (exactly one caller sees it: the update is conditional on
 * `running`). Failed or rejected targets fail the run; a run whose targets
 * were all cancelled is cancelled.
 */
export async function finalizeRun(
  db: Knex,
  runId: string,
  now: number,
): Promise<RunStatus | undefined> {
  // cheap check first (index on run_id, status): called after every target
  const open = await db<TargetRow>('runbooks_targets')
    .where('run_id', runId)
    .whereIn('status', NON_TERMINAL)
    .first('id');
  if (open) return undefined;
  const counts = await countTargets(db, runId);
  if (NON_TERMINAL.some(s => counts[s] > 0)) return undefined;
  let status: RunStatus = 'succeeded';
  if (counts.failed + counts.rejected > 0) status = 'failed';
  else if (counts.cancelled > 0 && counts.succeeded === 0) status = 'cancelled';
  const updated = await db<RunRow>('runbooks_runs')
    .where({ id: runId, status: 'running' })
    .update({ status, finished_at: now });
  return updated ? status : undefined;
}
