import { Knex } from 'knex';
import { toTargetState } from '../mappers';
import { TargetRow } from '../tables';
import { TargetChanges } from '../types';

/**
 * How far before its last cursor a reader starts each new look. `changed_at`
 * comes from the database's clock, so replicas' clocks do not matter; but a
 * row is stamped when it is written and seen when its transaction commits,
 * and a transaction that stamped earlier can commit after a reader went past
 * its stamp (two commits in flight at once, a large approval). Re-reading
 * the last few seconds catches those; the reader drops what it already
 * reported (it keeps the last status it reported per target).
 */
export const TARGET_CHANGES_OVERLAP_MS = 5_000;

const order = [
  { column: 'changed_at', order: 'asc' },
  { column: 'id', order: 'asc' },
] as const;

/**
 * The targets of a run whose status changed after `since` (epoch ms, the
 * database's clock), oldest change first. `cursor` is the newest change
 * returned (`since` when none); with `more`, ask again at once from it. A
 * page ends on a whole millisecond, so it can hold more than `limit` targets
 * when many changed in one (as when a run is created). Start each new look
 * from `cursor - TARGET_CHANGES_OVERLAP_MS`.
 */
export async function listTargetChanges(
  db: Knex,
  options: { runId: string; since?: number; limit?: number },
): Promise<TargetChanges> {
  const since = options.since ?? 0;
  const limit = Math.max(1, options.limit ?? 500);
  const rows: TargetRow[] = await db<TargetRow>('runbooks_targets')
    .where('run_id', options.runId)
    .andWhere('changed_at', '>', since)
    .orderBy([...order])
    .limit(limit + 1);
  if (rows.length <= limit) {
    const newest = rows[rows.length - 1];
    return {
      items: rows.map(toTargetState),
      cursor: newest ? Number(newest.changed_at) : since,
      more: false,
    };
  }
  const last = rows[limit - 1];
  const page = rows.slice(0, limit);
  if (Number(rows[limit].changed_at) === Number(last.changed_at)) {
    // the rest of the last millisecond, so that the cursor can be a time
    page.push(
      ...(await db<TargetRow>('runbooks_targets')
        .where({ run_id: options.runId, changed_at: last.changed_at })
        .andWhere('id', '>', last.id)
        .orderBy('id')),
    );
  }
  return {
    items: page.map(toTargetState),
    cursor: Number(last.changed_at),
    more: true,
  };
}
