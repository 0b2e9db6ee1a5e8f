import { ListLogsResponse } from '@fleetdeck/plugin-runbooks-common';
import { Knex } from 'knex';
import { toLogLine } from './mappers';
import { chunks, values } from './sql';
import { LogRow } from './tables';
import { NewLogLine } from './types';

/**
 * Inserts log lines (already redacted) with `db`, a transaction or not:
 * one multi-row statement per thousand lines.
 */
export async function insertLogs(
  db: Knex | Knex.Transaction,
  lines: NewLogLine[],
  now: number,
): Promise<void> {
  for (const chunk of chunks(lines, 1000)) {
    const rows = values(
      chunk.map(l => [
        l.runId,
        l.targetId ?? null,
        l.stepId ?? null,
        l.level,
        l.message,
        l.createdAt ?? now,
      ]),
    );
    await db.raw(
      `INSERT INTO runbooks_logs (run_id, target_id, step_id, level, message, created_at)
       VALUES ${rows.sql}`,
      rows.bindings,
    );
  }
}

/** Log lines of runs: appended by workers and the service, paged by the API. */
export class DatabaseLogStore {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => number,
  ) {}

  async appendLogs(lines: NewLogLine[]): Promise<void> {
    await insertLogs(this.db, lines, this.clock());
  }

  /** A page of a run's log lines; `targetId: null` pages the run's own lines (no target). */
  async listLogs(options: {
    runId: string;
    targetId?: string | null;
    after?: number;
    limit: number;
  }): Promise<ListLogsResponse> {
    let query = this.db<LogRow>('runbooks_logs')
      .where('run_id', options.runId)
      .orderBy('id')
      .limit(options.limit);
    if (options.targetId) query = query.where('target_id', options.targetId);
    else if (options.targetId === null) query = query.whereNull('target_id');
    if (options.after !== undefined)
      query = query.where('id', '>', options.after);
    const items = (await query).map(toLogLine);
    return {
      items,
      nextCursor: items.length ? items[items.length - 1].id : options.after,
    };
  }
}
