import { decodeCursor, encodeCursor } from '@fleetdeck/fleetdeck-node';
import { RunSummary, TargetStatus } from '@fleetdeck/plugin-runbooks-common';
import { Knex } from 'knex';
import { z } from 'zod';
import { toCounts, toRunSummary } from '../mappers';
import { DbBigInt, RunRow, TargetRow } from '../tables';
import { ListRunsOptions } from '../types';

/** A page of runs, newest first. */
export interface RunPage {
  items: RunSummary[];
  /** Pass as `cursor` for the next (older) page. */
  nextCursor?: string;
}

/**
 * The position after a run in the list, `[createdAt, id]`; a cursor holding
 * anything else is the client's mistake (an InputError, 400).
 */
const runCursor = z.tuple([
  z.number().int().nonnegative(),
  z
    .string()
    .max(64)
    .regex(/^[\w-]+$/),
]);

/**
 * A page of runs, newest first, with their target counts: two queries
 * whatever the page size (the runs, then the counts of all of them grouped
 * by run and status).
 */
export async function listRuns(
  db: Knex,
  options: ListRunsOptions,
): Promise<RunPage> {
  let query = db<RunRow>('runbooks_runs')
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(options.limit + 1);
  if (options.runbookRefs)
    query = query.whereIn('runbook_ref', options.runbookRefs);
  if (options.requestedBy)
    query = query.where('requested_by', options.requestedBy);
  if (options.status) query = query.where('status', options.status);
  if (options.entityRef) {
    query = query.whereIn(
      'id',
      db<TargetRow>('runbooks_targets')
        .select('run_id')
        .where('entity_ref', options.entityRef),
    );
  }
  if (options.cursor) {
    const [createdAt, id] = decodeCursor(runCursor, options.cursor);
    query = query.where(q =>
      q
        .where('created_at', '<', createdAt)
        .orWhere(q2 =>
          q2.where('created_at', createdAt).andWhere('id', '<', id),
        ),
    );
  }
  const rows: RunRow[] = await query;
  const page = rows.slice(0, options.limit);
  const counts = await countsByRun(
    db,
    page.map(r => r.id),
  );
  const last = page[page.length - 1];
  return {
    items: page.map(row => toRunSummary(row, toCounts(counts.get(row.id)))),
    nextCursor:
      rows.length > options.limit && last
        ? encodeCursor([Number(last.created_at), last.id])
        : undefined,
  };
}

type CountRow = { run_id: string; status: TargetStatus; count: DbBigInt };

/** Target counts of many runs in one grouped query. */
async function countsByRun(
  db: Knex,
  runIds: string[],
): Promise<Map<string, CountRow[]>> {
  const byRun = new Map<string, CountRow[]>();
  if (runIds.length === 0) return byRun;
  const rows = (await db<TargetRow>('runbooks_targets')
    .whereIn('run_id', runIds)
    .groupBy('run_id', 'status')
    .select('run_id', 'status')
    .count({ count: '*' })) as CountRow[];
  for (const row of rows) {
    byRun.set(row.run_id, [...(byRun.get(row.run_id) ?? []), row]);
  }
  return byRun;
}
