import { RunStatus, TargetStatus } from '@fleetdeck/plugin-runbooks-common';

/**
 * The rows of the plugin's tables, as the database drivers return them.
 * PostgreSQL returns `bigint` columns as strings and SQLite booleans as 0/1,
 * so those columns are typed with both; the mappers convert them.
 */

/** A `bigint` column: epoch milliseconds (a string from PostgreSQL). */
export type DbBigInt = number | string;
/** A `boolean` column (0/1 from SQLite). */
export type DbBoolean = boolean | number;

/** `runbooks_runs`: one run of a runbook over a set of targets. */
export interface RunRow {
  id: string;
  runbook_ref: string;
  /** The runbook entity as started (JSON). */
  runbook: string;
  /** The parameters as given, secrets encrypted (JSON). */
  parameters: string;
  requested_by: string;
  /** Never `awaiting_approval`: that one is derived from the counts. */
  status: RunStatus;
  dry_run: DbBoolean;
  concurrency: number;
  retry_of: string | null;
  schedule: string | null;
  created_at: DbBigInt;
  finished_at: DbBigInt | null;
  definition_digest: string | null;
  definition_commit: string | null;
  definition_source: string | null;
}

/** `runbooks_targets`: one target entity of a run, claimed by one worker at a time. */
export interface TargetRow {
  id: string;
  run_id: string;
  position: number;
  entity_ref: string;
  /** The target entity as started (JSON). */
  entity: string;
  status: TargetStatus;
  needs_approval: DbBoolean;
  decided_by: string | null;
  decision_comment: string | null;
  /** Changes on every claim; every worker write is conditional on it. */
  claim_id: string | null;
  claimed_by: string | null;
  heartbeat_at: DbBigInt | null;
  claims: number;
  started_at: DbBigInt | null;
  finished_at: DbBigInt | null;
  error: string | null;
  /** Step results by position (JSON array of `StoredStep | null`). */
  steps: string | null;
  /**
   * When `status` last changed, by the database's clock (epoch ms): the
   * cursor of `listTargetChanges`.
   */
  changed_at: DbBigInt;
}

/** The target columns a claim returns. */
export type ClaimedTargetRow = Pick<
  TargetRow,
  'id' | 'run_id' | 'position' | 'entity_ref' | 'entity' | 'claims' | 'steps'
>;

/** `runbooks_logs`: one redacted log line. */
export interface LogRow {
  id: DbBigInt;
  run_id: string;
  target_id: string | null;
  step_id: string | null;
  level: 'info' | 'warn' | 'error';
  message: string;
  created_at: DbBigInt;
}

/** `runbooks_workers`: a replica's worker, renewed on each heartbeat. */
export interface WorkerRow {
  id: string;
  seen_at: DbBigInt;
  free_slots: number;
}

/** `runbooks_schedules`: the last cron occurrence a scheduled runbook fired for. */
export interface ScheduleRow {
  runbook_ref: string;
  last_fired_at: DbBigInt;
}

/** `runbooks_definitions`: a runbook folder's files as a run pinned them. */
export interface DefinitionRow {
  digest: string;
  /** JSON: path -> base64 content. */
  files: string;
  bytes: number;
  created_at: DbBigInt;
}
