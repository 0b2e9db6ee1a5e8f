import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  ListLogsResponse,
  ListTargetsResponse,
  RunStatus,
  RunSummary,
  TargetCounts,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import { Knex } from 'knex';
import { decodeFiles } from '../trust/DefinitionSnapshots';
import { DatabaseLogStore } from './DatabaseLogStore';
import { DatabaseScheduleStore } from './DatabaseScheduleStore';
import { DatabaseWorkerRegistry } from './DatabaseWorkerRegistry';
import { runbookOf, toRunSummary, toTargetRun } from './mappers';
import { commitPostgres } from './operations/commitPostgres';
import { commitSqlite } from './operations/commitSqlite';
import { createRun } from './operations/createRun';
import { cancelRun, decide } from './operations/decideTargets';
import { countTargets, finalizeRun } from './operations/finalizeRun';
import { lastSucceeded, LastSucceeded } from './operations/lastSucceeded';
import { latestTlsChecks, LatestTlsCheck } from './operations/latestTlsChecks';
import { listRuns, RunPage } from './operations/listRuns';
import { listTargetChanges } from './operations/listTargetChanges';
import { requeueStaleTargets } from './operations/requeueStaleTargets';
import type { RunStore } from './RunStore';
import { isPostgres } from './sql';
import { DefinitionRow, RunRow, TargetRow } from './tables';
import {
  ClaimOptions,
  CommitResult,
  Completion,
  ListRunsOptions,
  NewLogLine,
  NewRun,
  RunDefinition,
  TargetChanges,
} from './types';

const migrationsDir = resolvePackagePath(
  '@fleetdeck/plugin-runbooks-backend',
  'migrations',
);

// Own bookkeeping table, so the plugin can share a database with others.
const MIGRATIONS_TABLE = 'runbooks_knex_migrations';

/** Options of a store; tests give each store instance its own clock. */
export interface DatabaseRunStoreOptions {
  /** This replica's clock (epoch ms) for heartbeats and run times. */
  clock?: () => number;
}

/**
 * The {@link RunStore} on the plugin's database (SQLite or PostgreSQL). Each
 * non-trivial statement lives in `operations/`; the worker registry, the log
 * lines and the schedules have their own classes.
 */
export class DatabaseRunStore implements RunStore {
  static async create(
    options: { database: DatabaseService; skipMigrations?: boolean },
    storeOptions: DatabaseRunStoreOptions = {},
  ): Promise<DatabaseRunStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await DatabaseRunStore.migrate(client);
    }
    return DatabaseRunStore.prepared(client, storeOptions);
  }

  static async fromKnex(
    knex: Knex,
    storeOptions: DatabaseRunStoreOptions = {},
  ): Promise<DatabaseRunStore> {
    await DatabaseRunStore.migrate(knex);
    return DatabaseRunStore.prepared(knex, storeOptions);
  }

  private static async migrate(knex: Knex) {
    await knex.migrate.latest({
      directory: migrationsDir,
      tableName: MIGRATIONS_TABLE,
    });
  }

  private static async prepared(knex: Knex, options: DatabaseRunStoreOptions) {
    if (!isPostgres(knex)) {
      // Write-ahead log: commits survive a killed process without an fsync
      // each (the engine commits several times per target); only a power
      // loss can take the last moments back.
      await knex.raw('PRAGMA journal_mode = WAL');
      await knex.raw('PRAGMA synchronous = NORMAL');
    }
    return new DatabaseRunStore(knex, options);
  }

  private readonly isPostgres: boolean;
  private readonly clock: () => number;
  private readonly workers: DatabaseWorkerRegistry;
  private readonly logs: DatabaseLogStore;
  private readonly schedules: DatabaseScheduleStore;
  private lastStaleCheck = 0;

  constructor(readonly db: Knex, options: DatabaseRunStoreOptions = {}) {
    this.isPostgres = isPostgres(db);
    this.clock = options.clock ?? Date.now;
    this.workers = new DatabaseWorkerRegistry(db, this.clock);
    this.logs = new DatabaseLogStore(db, this.clock);
    this.schedules = new DatabaseScheduleStore(db);
  }

  /**
   * PostgreSQL runs commits on separate connections (they touch disjoint
   * rows); SQLite has one writer.
   */
  get parallelCommits(): number {
    return this.isPostgres ? 4 : 1;
  }

  createRun(run: NewRun): Promise<string> {
    return createRun(this.db, run, this.clock());
  }

  cancelRun(runId: string): Promise<boolean> {
    return cancelRun(this.db, runId, this.clock());
  }

  decide(options: Parameters<RunStore['decide']>[0]): Promise<string[]> {
    return decide(this.db, options, this.clock());
  }

  /**
   * On PostgreSQL the writes and the hand-off claims are one statement
   * (`commitPostgres`); on SQLite one serial transaction (`commitSqlite`).
   * Runs whose last targets ended are finalized after the commit, so the
   * last of several workers to finish sees all ends.
   */
  async commit(
    completions: Completion[],
    claim?: ClaimOptions,
  ): Promise<CommitResult> {
    const now = this.clock();
    if (
      claim?.search &&
      now - this.lastStaleCheck >= Math.min(claim.staleAfterMs / 4, 5000)
    ) {
      this.lastStaleCheck = now;
      await requeueStaleTargets(this.db, now, claim.staleAfterMs);
    }
    const wantsClaim =
      claim && claim.limit > 0 && (claim.search || claim.handOff?.length)
        ? claim
        : undefined;
    if (completions.length === 0 && !wantsClaim) {
      return { held: [], claimed: [], runStatuses: new Map() };
    }
    const write = this.isPostgres ? commitPostgres : commitSqlite;
    const {
      held,
      claimed,
      searchError,
      contended,
    }: Omit<CommitResult, 'runStatuses'> = await write(
      this.db,
      completions,
      wantsClaim,
      now,
    );
    const runStatuses = new Map<string, RunStatus>();
    // a run that just had targets claimed is not over
    const busy = new Set(claimed.map(c => c.runId));
    const ended = new Set(
      completions
        .filter((c, i) => c.finish && held[i] && !busy.has(c.claim.runId))
        .map(c => c.claim.runId),
    );
    for (const runId of ended) {
      const status = await finalizeRun(this.db, runId, this.clock());
      if (status) runStatuses.set(runId, status);
    }
    return { held, claimed, runStatuses, searchError, contended };
  }

  async heartbeat(claimIds: string[]): Promise<Set<string>> {
    if (claimIds.length === 0) return new Set();
    await this.db<TargetRow>('runbooks_targets')
      .whereIn('claim_id', claimIds)
      .andWhere('status', 'running')
      .update({ heartbeat_at: this.clock() });
    const held = await this.db<TargetRow>('runbooks_targets')
      .whereIn('claim_id', claimIds)
      .andWhere('status', 'running')
      .distinct('claim_id');
    return new Set(held.map(r => r.claim_id!));
  }

  async cancelledRuns(runIds: string[]): Promise<Set<string>> {
    if (runIds.length === 0) return new Set();
    const rows = await this.db<RunRow>('runbooks_runs')
      .whereIn('id', runIds)
      .andWhere('status', 'cancelled')
      .select('id');
    return new Set(rows.map(r => r.id));
  }

  registerWorker(workerId: string, freeSlots: number, staleAfterMs: number) {
    return this.workers.registerWorker(workerId, freeSlots, staleAfterMs);
  }

  unregisterWorker(workerId: string) {
    return this.workers.unregisterWorker(workerId);
  }

  async getRunDefinition(runId: string): Promise<RunDefinition> {
    const row = await this.db<RunRow>('runbooks_runs')
      .where('id', runId)
      .first('runbook', 'parameters', 'definition_digest');
    if (!row) throw new NotFoundError(`No run ${runId}`);
    return {
      runbook: runbookOf(row)!,
      parameters: JSON.parse(row.parameters),
      digest: row.definition_digest ?? undefined,
    };
  }

  async getDefinitionFiles(digest: string): Promise<Map<string, Buffer>> {
    const row = await this.db<DefinitionRow>('runbooks_definitions')
      .where('digest', digest)
      .first('files');
    if (!row) throw new NotFoundError(`No pinned runbook files ${digest}`);
    return decodeFiles(row.files);
  }

  appendLogs(lines: NewLogLine[]): Promise<void> {
    return this.logs.appendLogs(lines);
  }

  listLogs(
    options: Parameters<RunStore['listLogs']>[0],
  ): Promise<ListLogsResponse> {
    return this.logs.listLogs(options);
  }

  async getRunSummary(runId: string): Promise<RunSummary> {
    const row = await this.db<RunRow>('runbooks_runs')
      .where('id', runId)
      .first();
    if (!row) throw new NotFoundError(`No run with id ${runId}`);
    return toRunSummary(row, await this.countTargets(runId));
  }

  listRuns(options: ListRunsOptions): Promise<RunPage> {
    return listRuns(this.db, options);
  }

  countTargets(runId: string): Promise<TargetCounts> {
    return countTargets(this.db, runId);
  }

  async listTargets(options: {
    runId: string;
    status?: TargetStatus[];
    targetIds?: string[];
    offset: number;
    limit: number;
  }): Promise<ListTargetsResponse> {
    const base = () => {
      let q = this.db<TargetRow>('runbooks_targets').where(
        'run_id',
        options.runId,
      );
      if (options.status?.length) q = q.whereIn('status', options.status);
      if (options.targetIds) q = q.whereIn('id', options.targetIds);
      return q;
    };
    const [{ count }] = await base().count({ count: '*' });
    const rows: TargetRow[] = await base()
      .orderBy('position')
      .offset(options.offset)
      .limit(options.limit);
    const { runbook } = await this.getRunDefinition(options.runId);
    return {
      totalCount: Number(count),
      items: rows.map(row => toTargetRun(row, runbook)),
    };
  }

  listTargetChanges(options: {
    runId: string;
    since?: number;
    limit?: number;
  }): Promise<TargetChanges> {
    return listTargetChanges(this.db, options);
  }

  async failedTargets(
    runId: string,
  ): Promise<{ entityRef: string; entity: Entity }[]> {
    const rows = await this.db<TargetRow>('runbooks_targets')
      .where({ run_id: runId, status: 'failed' })
      .orderBy('position')
      .select('entity_ref', 'entity');
    if (rows.length === 0) {
      throw new ConflictError(`Run ${runId} has no failed targets to retry`);
    }
    return rows.map(r => ({
      entityRef: r.entity_ref,
      entity: JSON.parse(r.entity),
    }));
  }

  lastSucceeded(options: { kind?: string }): Promise<LastSucceeded[]> {
    return lastSucceeded(this.db, options);
  }

  latestTlsChecks(options: { kind?: string }): Promise<LatestTlsCheck[]> {
    return latestTlsChecks(this.db, options);
  }

  markScheduleFired(
    runbookRef: string,
    occurrence: number,
    previous: number | undefined,
  ): Promise<boolean> {
    return this.schedules.markScheduleFired(runbookRef, occurrence, previous);
  }

  lastScheduleFire(runbookRef: string): Promise<number | undefined> {
    return this.schedules.lastScheduleFire(runbookRef);
  }
}
