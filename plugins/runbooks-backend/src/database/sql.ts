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

/** A PostgreSQL statement written with `:name` bindings, as `$n` placeholders. */
export interface PreparedStatement {
  /** The name the statement is prepared under on each connection. */
  name: string;
  text: string;
  /** The binding name of each `$n`, in order. */
  order: string[];
}

/**
 * Turns a statement with `:name` bindings (knex's raw style) into one with
 * `$n` placeholders, once, for {@link queryPrepared}. Casts must be written
 * `CAST(x AS t)`, as for knex.
 */
export function prepareStatement(name: string, sql: string): PreparedStatement {
  const order: string[] = [];
  const text = sql.replace(/(?<![:\w]):([a-zA-Z]\w*)/g, (_, key: string) => {
    const at = order.indexOf(key);
    if (at >= 0) return `$${at + 1}`;
    order.push(key);
    return `$${order.length}`;
  });
  return { name, text, order };
}

interface PgConnection {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: unknown[] }>;
}

interface ConnectionPool {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
}

/**
 * Runs a statement as a named prepared statement on PostgreSQL: each
 * connection parses and plans it once, later calls send only the values (a
 * hot statement such as the engine's commit otherwise pays both every time,
 * and knex's own formatting of a long statement besides). `db` may be a
 * transaction: its connection is used then.
 */
export async function queryPrepared<T>(
  db: Knex,
  statement: PreparedStatement,
  bindings: Record<string, unknown>,
): Promise<T[]> {
  const pool = db.client as unknown as ConnectionPool;
  const connection = await pool.acquireConnection();
  try {
    const result = await connection.query({
      name: statement.name,
      text: statement.text,
      values: statement.order.map(key => bindings[key]),
    });
    return result.rows as T[];
  } finally {
    await pool.releaseConnection(connection);
  }
}
