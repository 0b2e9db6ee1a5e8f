import { Knex } from 'knex';

/** Whether a knex instance talks to PostgreSQL (else SQLite). */
export function isPostgres(db: Knex): boolean {
  return String(db.client.config.client).includes('pg');
}

/** {@link databaseNowSql} on PostgreSQL. */
export const POSTGRES_NOW_MS =
  'CAST(extract(epoch from clock_timestamp()) * 1000 AS bigint)';
/** {@link databaseNowSql} on SQLite. */
export const SQLITE_NOW_MS =
  "CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)";

/**
 * The database's clock in epoch milliseconds, as an SQL expression. Stamps
 * that readers compare (`changed_at`) come from the one clock every replica
 * shares, not from each replica's own. PostgreSQL's `clock_timestamp()` is
 * the time the row is written (`now()` would be the transaction's start);
 * SQLite's `'now'` is fixed for one statement.
 */
export function databaseNowSql(db: Knex): string {
  return isPostgres(db) ? POSTGRES_NOW_MS : SQLITE_NOW_MS;
}

/** {@link databaseNowSql} as a value for the query builder. */
export function databaseNow(db: Knex): Knex.Raw {
  return db.raw(databaseNowSql(db));
}

/** `(?, ?), (?, ?)` and its bindings, for a multi-row VALUES list. */
export function values(rows: unknown[][]): {
  sql: string;
  bindings: Knex.Value[];
} {
  const row = `(${rows[0]?.map(() => '?').join(', ')})`;
  return {
    sql: rows.map(() => row).join(', '),
    bindings: rows.flat() as Knex.Value[],
  };
}

/** The rows of a raw statement: knex returns them differently per client. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] } | undefined)?.rows ?? [];
}

/** Splits a list into chunks of `size` (bound-variable limits). */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}
