import { Knex } from 'knex';
import { randomUUID } from 'crypto';
import { CLAIMED_COLUMNS, toClaimed } from '../mappers';
import { databaseNow, databaseNowSql, isPostgres, rowsOf } from '../sql';
import { ClaimedTargetRow, RunRow, TargetRow } from '../tables';
import { ClaimedTarget } from '../types';

/** Runs one claim looks at, oldest first. */
const RUNS_PER_CLAIM = 20;

/**
 * Claims pending targets, oldest run first, up to each run's concurrency
 * minus its running targets (and this worker's share of it). The run rows
 * are read (on PostgreSQL locked, skipping runs another worker is claiming
 * from) in a statement before the counting one, so the count sees every
 * claim committed before the lock: two workers never claim from one run at
 * once. On SQLite transactions are serial.
 *
 * `contended` is true when a run was skipped because another worker was
 * claiming from it at that moment and this claim came up short: the worker
 * should look again as soon as that claim is done, not at its next poll
 * (two replicas woken by one new run otherwise leave one of them idle for a
 * poll interval).
 */
export async function claimPending(
  tx: Knex.Transaction,
  options: { workerId: string; limit: number; workers?: number },
  now: number,
): Promise<{ claimed: ClaimedTarget[]; contended: boolean }> {
  const claimed = await claimFromRuns(tx, options, now);
  const contended =
    isPostgres(tx) &&
    claimed.locked < RUNS_PER_CLAIM &&
    claimed.targets.length < options.limit &&
    (await runningRunsBeyond(tx, claimed.runIds));
  return { claimed: claimed.targets, contended };
}

/** Whether a running run other than `runIds` exists (read without a lock). */
async function runningRunsBeyond(
  tx: Knex.Transaction,
  runIds: string[],
): Promise<boolean> {
  const other = await tx<RunRow>('runbooks_runs')
    .where('status', 'running')
    .whereNotIn('id', runIds)
    .first('id');
  return other !== undefined;
}

async function claimFromRuns(
  tx: Knex.Transaction,
  options: { workerId: string; limit: number; workers?: number },
  now: number,
): Promise<{ targets: ClaimedTarget[]; runIds: string[]; locked: number }> {
  const { workerId, limit } = options;
  let runsQuery = tx<RunRow>('runbooks_runs')
    .select('id', 'concurrency', 'dry_run', 'requested_by')
    .where('status', 'running')
    .orderBy('created_at')
    .limit(RUNS_PER_CLAIM);
  if (isPostgres(tx)) runsQuery = runsQuery.forUpdate().skipLocked();
  const runs = await runsQuery;
  const runIds = runs.map(r => r.id);
  if (runs.length === 0) return { targets: [], runIds, locked: 0 };
  const running = await countRunning(
    tx,
    runs.map(r => r.id),
    workerId,
  );
  const workers = Math.max(1, options.workers ?? 1);
  let left = limit;
  const claimId = randomUUID();
  const claimed: ClaimedTarget[] = [];
  for (const run of runs) {
    if (left <= 0) break;
    const concurrency = Number(run.concurrency);
    const count = running.get(run.id) ?? { all: 0, mine: 0 };
    // each live worker with room gets its share of the run's concurrency
    const share = Math.ceil(concurrency / workers);
    const free = Math.min(left, concurrency - count.all, share - count.mine);
    if (free <= 0) continue;
    const rows = await claimFromRun(tx, {
      runId: run.id,
      limit: free,
      claimId,
      workerId,
      now,
    });
    const settings = {
      concurrency,
      dryRun: Boolean(run.dry_run),
      requestedBy: run.requested_by,
    };
    claimed.push(...rows.map(row => toClaimed(row, claimId, settings)));
    left -= rows.length;
  }
  return { targets: claimed, runIds, locked: runs.length };
}

/** Running targets per run: all of them, and this worker's. */
async function countRunning(
  tx: Knex.Transaction,
  runIds: string[],
  workerId: string,
): Promise<Map<string, { all: number; mine: number }>> {
  const rows: {
    run_id: string;
    all: number | string;
    mine: number | string;
  }[] = await tx<TargetRow>('runbooks_targets')
    .whereIn('run_id', runIds)
    .andWhere('status', 'running')
    .groupBy('run_id')
    .select(
      'run_id',
      tx.raw('count(*) as "all"'),
      tx.raw('sum(case when claimed_by = ? then 1 else 0 end) as "mine"', [
        workerId,
      ]),
    );
  return new Map(
    rows.map(r => [r.run_id, { all: Number(r.all), mine: Number(r.mine) }]),
  );
}

/** Claims up to `limit` pending targets of one run, in position order. */
export async function claimFromRun(
  tx: Knex.Transaction,
  options: {
    runId: string;
    limit: number;
    claimId: string;
    workerId: string;
    now: number;
  },
): Promise<ClaimedTargetRow[]> {
  const { runId, limit, claimId, workerId, now } = options;
  if (isPostgres(tx)) {
    // one round trip; `= ANY(ARRAY(...))` keeps the plan on the primary key,
    // and SKIP LOCKED lets concurrent commits (of this worker or another)
    // take the next pending targets instead of waiting for the same ones
    return rowsOf<ClaimedTargetRow>(
      await tx.raw(
        `UPDATE runbooks_targets SET
           status = 'running', claim_id = ?, claimed_by = ?,
           heartbeat_at = ?::bigint,
           started_at = coalesce(started_at, ?::bigint),
           claims = claims + 1,
           changed_at = ${databaseNowSql(tx)}
         WHERE id = ANY(ARRAY(
           SELECT id FROM runbooks_targets
           WHERE run_id = ? AND status = 'pending'
           ORDER BY position LIMIT ?
           FOR UPDATE SKIP LOCKED
         )) AND status = 'pending'
         RETURNING ${CLAIMED_COLUMNS.join(', ')}`,
        [claimId, workerId, now, now, runId, limit],
      ),
    );
  }
  const next = await tx<TargetRow>('runbooks_targets')
    .where({ run_id: runId, status: 'pending' })
    .orderBy('position')
    .limit(limit)
    .pluck('id');
  if (next.length === 0) return [];
  // conditional on `pending`: a target cancelled meanwhile is not claimed
  const rows = await tx<TargetRow>('runbooks_targets')
    .whereIn('id', next)
    .andWhere('status', 'pending')
    .update(
      {
        status: 'running',
        claim_id: claimId,
        claimed_by: workerId,
        heartbeat_at: now,
        started_at: tx.raw('coalesce(started_at, ?)', [now]),
        claims: tx.raw('claims + 1'),
        changed_at: databaseNow(tx),
      },
      [...CLAIMED_COLUMNS],
    );
  return rows as ClaimedTargetRow[];
}
