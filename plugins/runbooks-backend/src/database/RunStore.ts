import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  ListLogsResponse,
  ListTargetsResponse,
  RunSummary,
  TargetCounts,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import { Knex } from 'knex';
import { DatabaseRunStore } from './DatabaseRunStore';
import { LastSucceeded } from './operations/lastSucceeded';
import { LatestTlsCheck } from './operations/latestTlsChecks';
import { RunPage } from './operations/listRuns';
import { RunRow } from './tables';
import {
  ClaimedTarget,
  ClaimOptions,
  CommitResult,
  Completion,
  ListRunsOptions,
  NewLogLine,
  NewRun,
  RunDefinition,
  TargetChanges,
} from './types';

export type {
  ClaimOptions,
  CommitResult,
  LastSucceeded,
  LatestTlsCheck,
  RunPage,
  RunRow,
};
export { TARGET_CHANGES_OVERLAP_MS } from './operations/listTargetChanges';

/**
 * Where runs live: one row per run, per target (with its step results) and
 * per log line. Workers claim targets and commit what they did through it;
 * the service starts, decides, cancels and lists runs through it. The one
 * implementation is {@link DatabaseRunStore} (SQLite and PostgreSQL).
 */
export interface RunStore {
  /**
   * The most commits one worker may have in flight: SQLite has one writer;
   * on PostgreSQL commits run on separate connections.
   */
  readonly parallelCommits: number;

  // --- the run lifecycle

  /** Writes the run, its pinned files, its note and its targets in one transaction; returns its id. */
  createRun(run: NewRun): Promise<string>;
  /** Cancels a running run: waiting targets at once, running ones through their workers. False if not running. */
  cancelRun(runId: string): Promise<boolean>;
  /** Approves (to pending) or rejects waiting targets (all, or `targetIds`); returns the ids decided. */
  decide(options: {
    runId: string;
    targetIds?: string[];
    approve: boolean;
    by: string;
    comment?: string;
  }): Promise<string[]>;

  // --- the worker's protocol

  /**
   * A worker's write path, in one transaction: records step results and
   * target ends (each only if its claim is still held), then claims pending
   * targets for the slots that frees (`claim.handOff`) and, with
   * `claim.search`, from any running run (stale claims are put back first).
   */
  commit(
    completions: Completion[],
    claim?: ClaimOptions,
  ): Promise<CommitResult>;
  /** Renews the claims a worker holds; returns the claim ids it still holds. */
  heartbeat(claimIds: string[]): Promise<Set<string>>;
  /** Of these runs, the ones that were cancelled. */
  cancelledRuns(runIds: string[]): Promise<Set<string>>;
  /** Records a live worker with `freeSlots`; returns how many live workers have room. */
  registerWorker(
    workerId: string,
    freeSlots: number,
    staleAfterMs: number,
  ): Promise<number>;
  /** A worker that stops leaves the registry at once. */
  unregisterWorker(workerId: string): Promise<void>;
  /** The runbook and parameters of a run, as stored when it started (NotFoundError). */
  getRunDefinition(runId: string): Promise<RunDefinition>;
  /** A pinned runbook folder's files, by digest (NotFoundError). */
  getDefinitionFiles(digest: string): Promise<Map<string, Buffer>>;
  /** Stores log lines (already redacted). */
  appendLogs(lines: NewLogLine[]): Promise<void>;

  // --- reads

  /** A run with its target counts (NotFoundError). */
  getRunSummary(runId: string): Promise<RunSummary>;
  /** A page of runs, newest first, in a constant number of queries; a malformed cursor is an InputError. */
  listRuns(options: ListRunsOptions): Promise<RunPage>;
  /** A run's targets counted by status. */
  countTargets(runId: string): Promise<TargetCounts>;
  /** A page of a run's targets in position order, with their steps. */
  listTargets(options: {
    runId: string;
    status?: TargetStatus[];
    targetIds?: string[];
    offset: number;
    limit: number;
  }): Promise<ListTargetsResponse>;
  /**
   * Targets whose status changed after `since` (the database's clock), for
   * the live view; see {@link TargetChanges} and `TARGET_CHANGES_OVERLAP_MS`.
   */
  listTargetChanges(options: {
    runId: string;
    since?: number;
    limit?: number;
  }): Promise<TargetChanges>;
  /** A page of a run's log lines; `targetId: null` pages the run's own lines. */
  listLogs(options: {
    runId: string;
    targetId?: string | null;
    after?: number;
    limit: number;
  }): Promise<ListLogsResponse>;
  /** The failed targets of a run, for "retry failed" (ConflictError if none). */
  failedTargets(
    runId: string,
  ): Promise<{ entityRef: string; entity: ClaimedTarget['entity'] }[]>;

  // --- fleet aggregates (one grouped query each, whatever the fleet's size)

  /**
   * Per runbook, runbook type (`spec.type`) and target entity, when a target
   * of it last succeeded in a run that was not a dry run.
   */
  lastSucceeded(options: { kind?: string }): Promise<LastSucceeded[]>;
  /**
   * Per runbook and target entity, the latest TLS check (succeeded or
   * failed, not a dry run) and the fewest days left it found.
   */
  latestTlsChecks(options: { kind?: string }): Promise<LatestTlsCheck[]>;

  // --- schedules

  /**
   * Records that a schedule fired for `occurrence`, if the stored last fire
   * is still `previous` (undefined: none yet); true for the one caller that
   * did.
   */
  markScheduleFired(
    runbookRef: string,
    occurrence: number,
    previous: number | undefined,
  ): Promise<boolean>;
  /** The occurrence a schedule last fired for (epoch ms). */
  lastScheduleFire(runbookRef: string): Promise<number | undefined>;
}

/**
 * Builds the store: `RunStore.create` for the plugin (runs the migrations
 * unless the database service skips them), `RunStore.fromKnex` for tests
 * and benchmarks.
 */
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the type and the value that builds it share the name, as callers write `RunStore.create(...)`
export const RunStore = {
  create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseRunStore> {
    return DatabaseRunStore.create(options);
  },
  fromKnex(knex: Knex): Promise<DatabaseRunStore> {
    return DatabaseRunStore.fromKnex(knex);
  },
};

export { DatabaseRunStore };
