import { decodeFiles, encodeFiles } from '../trust/DefinitionSnapshots';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  ListLogsResponse,
  ListRunsResponse,
  ListTargetsResponse,
  RunLogLine,
  RunStatus,
  RunSummary,
  StepRun,
  StepStatus,
  TargetCounts,
  TargetRun,
  TargetStatus,
  TERMINAL_TARGET_STATUSES,
} from '@fleetdeck/plugin-runbooks-common';
import { Knex } from 'knex';
import { randomUUID } from 'crypto';
import {
  ClaimedTarget,
  Completion,
  NewRun,
  NewLogLine,
  StoredStep,
} from './types';
import { approverRefs } from '../lib/ownerRef';

const migrationsDir = resolvePackagePath(
  '@fleetdeck/plugin-runbooks-backend',
  'migrations',
);

// Own bookkeeping table, so the plugin can share a database with others.
const MIGRATIONS_TABLE = 'runbooks_knex_migrations';

const ALL_TARGET_STATUSES: TargetStatus[] = [
  'awaiting_approval',
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
];
const NON_TERMINAL: TargetStatus[] = [
  'awaiting_approval',
  'pending',
  'running',
];

const iso = (ms: unknown) =>
  ms === null || ms === undefined
    ? undefined
    : new Date(Number(ms)).toISOString();
const parse = (text: unknown) =>
  typeof text === 'string' && text ? JSON.parse(text) : undefined;

/** `(?, ?), (?, ?)` and its bindings, for a multi-row VALUES list. */
function values(rows: unknown[][]) {
  const row = `(${rows[0]?.map(() => '?').join(', ')})`;
  return {
    sql: rows.map(() => row).join(', '),
    bindings: rows.flat() as Knex.Value[],
  };
}

/** The log lines a completion stores: its own, and for a target's end one more. */
function linesOf({ claim, logs, finish }: Completion, now: number) {
  if (!finish) return logs;
  return [
    ...logs,
    {
      runId: claim.runId,
      targetId: claim.targetId,
      level:
        finish.status === 'succeeded' ? ('info' as const) : ('error' as const),
      message: `Target ${finish.status}${
        finish.error ? `: ${finish.error}` : ''
      }`,
      createdAt: now,
    },
  ];
}

/** The rows of a raw statement: knex returns them differently per client. */
function rowsOf(result: any): any[] {
  return Array.isArray(result) ? result : result?.rows ?? [];
}

/** How a worker wants targets claimed in a commit. */
export interface ClaimOptions {
  workerId: string;
  /** The most targets to claim in all (the worker's free slots). */
  limit: number;
  staleAfterMs: number;
  /** Live workers with room, among which a run's concurrency is split (default 1). */
  workers?: number;
  /**
   * Runs whose targets end in this commit: up to `max` of the slots they free
   * go straight to the run's next pending targets.
   */
  handOff?: {
    runId: string;
    max: number;
    concurrency: number;
    dryRun: boolean;
    requestedBy: string;
  }[];
  /** Also claim from any running run, oldest first (locks and counts). */
  search?: boolean;
}

function toClaimed(
  row: any,
  claimId: string,
  run: { concurrency: number; dryRun: boolean; requestedBy: string },
): ClaimedTarget {
  return {
    targetId: row.id,
    runId: row.run_id,
    claimId,
    entityRef: row.entity_ref,
    entity: JSON.parse(row.entity),
    claims: Number(row.claims),
    concurrency: run.concurrency,
    dryRun: run.dryRun,
    requestedBy: run.requestedBy,
    steps: parse(row.steps) ?? [],
  };
}

const CLAIMED_COLUMNS = [
  'id',
  'run_id',
  'position',
  'entity_ref',
  'entity',
  'claims',
  'steps',
];

/**
 * commitPostgres's statement. Parameters: the completions (JSON), the time
 * twice, the log lines (JSON), the hand-off runs (JSON: ord, run_id, max),
 * the claim limit, claim id, worker id and the time twice.
 */
const POSTGRES_COMMIT = `
  WITH input AS (
    SELECT * FROM json_to_recordset(?::json) AS x(
      target_id text, claim_id text, status text, error text, steps text)
  ),
  held AS (
    UPDATE runbooks_targets AS t SET
      status = coalesce(i.status, t.status),
      finished_at = CASE WHEN i.status IS NULL
        THEN t.finished_at ELSE ?::bigint END,
      error = CASE WHEN i.status IS NULL THEN t.error ELSE i.error END,
      steps = coalesce(i.steps, t.steps),
      heartbeat_at = ?::bigint
    FROM input AS i
    WHERE t.id = i.target_id AND t.claim_id = i.claim_id
      AND t.status = 'running'
    RETURNING t.id, t.run_id, i.status AS finish
  ),
  logged AS (
    INSERT INTO runbooks_logs
      (run_id, target_id, step_id, level, message, created_at)
    SELECT l.run_id, l.target_id, l.step_id, l.level, l.message, l.created_at
    FROM json_to_recordset(?::json) AS l(seq int, run_id text,
      target_id text, step_id text, level text, message text,
      created_at bigint)
    JOIN held ON held.id = l.target_id
    ORDER BY l.seq
  ),
  wanted AS (
    SELECT h.ord, h.run_id, least(h.max, count(*))::int AS n
    FROM json_to_recordset(?::json) AS h(ord int, run_id text, max int)
    JOIN held ON held.run_id = h.run_id AND held.finish IS NOT NULL
    GROUP BY h.ord, h.run_id, h.max
  ),
  capped AS (
    SELECT run_id, greatest(0, least(n, ?::int - coalesce(sum(n) OVER (
      ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)))::int AS n
    FROM wanted
  ),
  picked AS (
    SELECT p.id FROM capped AS c CROSS JOIN LATERAL (
      SELECT id FROM runbooks_targets
      WHERE run_id = c.run_id AND status = 'pending'
      ORDER BY position LIMIT c.n
      FOR UPDATE SKIP LOCKED
    ) AS p
  ),
  claimed AS (
    UPDATE runbooks_targets SET
      status = 'running', claim_id = ?, claimed_by = ?,
      heartbeat_at = ?::bigint,
      started_at = coalesce(started_at, ?::bigint),
      claims = claims + 1
    WHERE id IN (SELECT id FROM picked) AND status = 'pending'
    RETURNING ${CLAIMED_COLUMNS.join(', ')}
  )
  SELECT 'held' AS kind, id, NULL AS run_id, NULL::int AS position,
         NULL AS entity_ref, NULL AS entity, NULL::int AS claims, NULL AS steps
  FROM held
  UNION ALL
  SELECT 'claimed', ${CLAIMED_COLUMNS.join(', ')} FROM claimed`;

/** Where runs live: one row per run, per target, per step and per log line. */
export class RunStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<RunStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await client.migrate.latest({
        directory: migrationsDir,
        tableName: MIGRATIONS_TABLE,
      });
    }
    return RunStore.prepared(client);
  }

  static async fromKnex(knex: Knex): Promise<RunStore> {
    await knex.migrate.latest({
      directory: migrationsDir,
      tableName: MIGRATIONS_TABLE,
    });
    return RunStore.prepared(knex);
  }

  private readonly isPostgres: boolean;

  private static async prepared(knex: Knex) {
    const store = new RunStore(knex);
    if (!store.isPostgres) {
      // Write-ahead log: commits survive a killed process without an fsync
      // each (the engine commits several times per target); only a power
      // loss can take the last moments back.
      await knex.raw('PRAGMA journal_mode = WAL');
      await knex.raw('PRAGMA synchronous = NORMAL');
    }
    return store;
  }

  constructor(readonly db: Knex) {
    this.isPostgres = String(db.client.config.client).includes('pg');
  }

  /**
   * How many commits one worker may have in flight: PostgreSQL runs them on
   * separate connections (one commits while the other's targets execute);
   * SQLite has one writer.
   */
  get parallelCommits(): number {
    return this.isPostgres ? 2 : 1;
  }

  /** Writes the run, its note and all its targets in one transaction; nothing runs before it commits. */
  async createRun(run: NewRun): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await this.db.transaction(async tx => {
      if (run.definition) {
        // content-addressed: the same files are stored once
        await tx('runbooks_definitions')
          .insert({
            digest: run.definition.digest,
            files: encodeFiles(run.definition.files),
            bytes: [...run.definition.files.values()].reduce(
              (sum, f) => sum + f.length,
              0,
            ),
            created_at: now,
          })
          .onConflict('digest')
          .ignore();
      }
      await tx('runbooks_runs').insert({
        id,
        runbook_ref: run.runbookRef,
        runbook: JSON.stringify(run.runbook),
        parameters: JSON.stringify(run.parameters),
        requested_by: run.requestedBy,
        status: 'running',
        dry_run: run.dryRun,
        concurrency: run.concurrency,
        retry_of: run.retryOf ?? null,
        schedule: run.schedule ?? null,
        created_at: now,
        definition_digest: run.definition?.digest ?? null,
        definition_commit: run.definition?.commit ?? null,
        definition_source: run.definition?.source ?? null,
      });
      const rows = run.targets.map((t, position) => ({
        id: randomUUID(),
        run_id: id,
        position,
        entity_ref: t.entityRef,
        entity: JSON.stringify(t.entity),
        status: t.needsApproval ? 'awaiting_approval' : 'pending',
        needs_approval: t.needsApproval,
        claims: 0,
      }));
      if (run.note) {
        await this.insertLogs(tx, [
          { runId: id, level: 'warn', message: run.note, createdAt: now },
        ]);
      }
      if (this.isPostgres) {
        // one statement, the rows as one JSON parameter
        for (let i = 0; i < rows.length; i += 5000) {
          await tx.raw(
            `INSERT INTO runbooks_targets
               (id, run_id, position, entity_ref, entity, status,
                needs_approval, claims)
             SELECT id, run_id, position, entity_ref, entity, status,
                    needs_approval, claims
             FROM json_to_recordset(?::json) AS x(id text, run_id text,
               position int, entity_ref text, entity text, status text,
               needs_approval boolean, claims int)`,
            [JSON.stringify(rows.slice(i, i + 5000))],
          );
        }
        return;
      }
      // SQLite allows 32,766 bound variables per statement
      for (let i = 0; i < rows.length; i += 100) {
        await tx('runbooks_targets').insert(rows.slice(i, i + 100));
      }
    });
    return id;
  }

  /**
   * Claims up to `limit` pending targets for a worker (one transaction),
   * never exceeding a run's concurrency across all workers. Targets whose
   * worker stopped heartbeating are put back first.
   */
  async claimTargets(options: {
    workerId: string;
    limit: number;
    staleAfterMs: number;
  }): Promise<ClaimedTarget[]> {
    const { claimed } = await this.commit([], { ...options, search: true });
    return claimed;
  }

  private lastStaleCheck = 0;

  private async requeueStale(now: number, staleAfterMs: number) {
    const stale = await this.db('runbooks_targets')
      .where('status', 'running')
      .andWhere('heartbeat_at', '<', now - staleAfterMs)
      .select('id', 'run_id', 'claim_id', 'claimed_by');
    for (const row of stale) {
      const put = await this.db('runbooks_targets')
        .where({ id: row.id, claim_id: row.claim_id, status: 'running' })
        .update({ status: 'pending', claim_id: null, claimed_by: null });
      if (put) {
        await this.appendLogs([
          {
            runId: row.run_id,
            targetId: row.id,
            level: 'warn',
            message: `Worker ${row.claimed_by} stopped heartbeating; the target is queued again and resumes after its last completed step`,
          },
        ]);
      }
    }
  }

  /**
   * A worker's write path: records a batch of step results and target ends
   * (each conditional on its claim), then claims up to `claim.limit` pending
   * targets for the slots that frees, all in one transaction. Handing a
   * finished target's slot straight to the next one keeps the run's
   * concurrency exact without a second round trip.
   *
   * On PostgreSQL the run rows are locked with `FOR UPDATE SKIP LOCKED` while
   * claiming (a worker skips a run another one is claiming from) and so are
   * the target rows; on SQLite transactions are serial.
   *
   * `held[i]` is false when completion i's worker no longer holds the claim
   * (nothing of it was written). `runStatuses` holds the runs that ended now.
   */
  async commit(
    completions: Completion[],
    claim?: ClaimOptions,
  ): Promise<{
    held: boolean[];
    claimed: ClaimedTarget[];
    runStatuses: Map<string, RunStatus>;
  }> {
    const now = Date.now();
    if (
      claim?.search &&
      now - this.lastStaleCheck >= Math.min(claim.staleAfterMs / 4, 5000)
    ) {
      this.lastStaleCheck = now;
      await this.requeueStale(now, claim.staleAfterMs);
    }
    const wantsClaim =
      claim && claim.limit > 0 && (claim.search || claim.handOff?.length);
    if (completions.length === 0 && !wantsClaim) {
      return { held: [], claimed: [], runStatuses: new Map() };
    }
    const { held, claimed } = this.isPostgres
      ? await this.commitPostgres(
          completions,
          wantsClaim ? claim : undefined,
          now,
        )
      : await this.db.transaction(async tx => {
          const heldIds = await this.writeCompletions(tx, completions, now);
          const heldNow = completions.map(c => heldIds.has(c.claim.targetId));
          if (!wantsClaim) return { held: heldNow, claimed: [] };
          const claimId = randomUUID();
          const taken: ClaimedTarget[] = [];
          // Slots freed by this batch's target ends pass straight to the same
          // runs' next targets: as many start as ended, in one commit, so the
          // run's count of running targets never changes and needs no lock.
          const freed = new Map<string, number>();
          completions.forEach((c, i) => {
            if (c.finish && heldNow[i]) {
              freed.set(c.claim.runId, (freed.get(c.claim.runId) ?? 0) + 1);
            }
          });
          let left = claim.limit;
          for (const run of claim.handOff ?? []) {
            const count = Math.min(left, run.max, freed.get(run.runId) ?? 0);
            if (count <= 0) continue;
            const rows = await this.claimFromRun(
              tx,
              run.runId,
              count,
              claimId,
              claim.workerId,
              now,
            );
            taken.push(...rows.map(row => toClaimed(row, claimId, run)));
            left -= rows.length;
          }
          if (claim.search && left > 0) {
            taken.push(
              ...(await this.claimPending(tx, { ...claim, limit: left }, now)),
            );
          }
          return { held: heldNow, claimed: taken };
        });
    // after the commit, so the last of several workers to finish sees all
    const runStatuses = new Map<string, RunStatus>();
    // a run that just had targets claimed is not over
    const busy = new Set(claimed.map(c => c.runId));
    const ended = new Set(
      completions
        .filter((c, i) => c.finish && held[i] && !busy.has(c.claim.runId))
        .map(c => c.claim.runId),
    );
    for (const runId of ended) {
      const status = await this.finalizeRun(runId);
      if (status) runStatuses.set(runId, status);
    }
    return { held, claimed, runStatuses };
  }

  /**
   * Set-based, so a batch costs the same two statements however many targets
   * it holds: one conditional update of the target rows (state and step
   * results; plain SQL that SQLite and PostgreSQL both run) and one insert of
   * log lines.
   */
  private async writeCompletions(
    tx: Knex.Transaction,
    completions: Completion[],
    now: number,
  ): Promise<Set<string>> {
    const held = new Set<string>();
    for (let i = 0; i < completions.length; i += 500) {
      const chunk = completions.slice(i, i + 500);
      const input = values(
        chunk.map(c => [
          c.claim.targetId,
          c.claim.claimId,
          c.finish?.status ?? null,
          c.finish?.error ?? null,
          c.steps ? JSON.stringify(c.steps) : null,
        ]),
      );
      const rows = rowsOf(
        await tx.raw(
          `UPDATE runbooks_targets SET
             status = coalesce(i.column3, runbooks_targets.status),
             finished_at = CASE WHEN i.column3 IS NULL
               THEN runbooks_targets.finished_at ELSE CAST(? AS BIGINT) END,
             error = CASE WHEN i.column3 IS NULL
               THEN runbooks_targets.error ELSE i.column4 END,
             steps = coalesce(i.column5, runbooks_targets.steps),
             heartbeat_at = CAST(? AS BIGINT)
           FROM (VALUES ${input.sql}) AS i
           WHERE runbooks_targets.id = i.column1
             AND runbooks_targets.claim_id = i.column2
             AND runbooks_targets.status = 'running'
           RETURNING runbooks_targets.id`,
          [now, now, ...input.bindings],
        ),
      );
      for (const row of rows) held.add(row.id);
    }
    const mine = completions.filter(c => held.has(c.claim.targetId));
    const lines = mine.flatMap(c => linesOf(c, now));
    await this.insertLogs(tx, lines);
    return held;
  }

  /**
   * commit() on PostgreSQL. The writes and the hand-off claims are one
   * statement, so the usual case costs one round trip and needs no explicit
   * transaction (a statement is atomic): the batch travels as JSON
   * parameters; the target rows whose claim is held are updated, log lines
   * are inserted for those only, and each hand-off run's next pending targets
   * (as many as its held target ends freed, at most `max`, `limit` in all)
   * are claimed with `FOR UPDATE SKIP LOCKED`, so commits in flight at once
   * never wait for each other. The rows it updates are disjoint: ending ones
   * are `running`, claimed ones `pending`. A search for more work (which
   * locks and counts run rows) follows in the same transaction.
   */
  private async commitPostgres(
    completions: Completion[],
    claim: ClaimOptions | undefined,
    now: number,
  ): Promise<{ held: boolean[]; claimed: ClaimedTarget[] }> {
    const statement = async (db: Knex | Knex.Transaction) => {
      const claimId = randomUUID();
      const handOff = claim?.handOff ?? [];
      const runs = new Map(handOff.map(r => [r.runId, r]));
      let rows: any[] = [];
      if (completions.length > 0) {
        rows = rowsOf(
          await db.raw(POSTGRES_COMMIT, [
            JSON.stringify(
              completions.map(c => ({
                target_id: c.claim.targetId,
                claim_id: c.claim.claimId,
                status: c.finish?.status ?? null,
                error: c.finish?.error ?? null,
                steps: c.steps ? JSON.stringify(c.steps) : null,
              })),
            ),
            now,
            now,
            JSON.stringify(
              completions
                .flatMap(c => linesOf(c, now))
                .map((l, seq) => ({
                  seq,
                  run_id: l.runId,
                  target_id: l.targetId ?? null,
                  step_id: l.stepId ?? null,
                  level: l.level,
                  message: l.message,
                  created_at: l.createdAt ?? now,
                })),
            ),
            JSON.stringify(
              handOff.map((r, ord) => ({ ord, run_id: r.runId, max: r.max })),
            ),
            claim?.limit ?? 0,
            claimId,
            claim?.workerId ?? '',
            now,
            now,
          ]),
        );
      }
      const heldIds = new Set<string>();
      const claimed: ClaimedTarget[] = [];
      for (const row of rows) {
        if (row.kind === 'held') heldIds.add(row.id);
        else claimed.push(toClaimed(row, claimId, runs.get(row.run_id)!));
      }
      if (claim?.search && claim.limit > claimed.length) {
        claimed.push(
          ...(await this.claimPending(
            db as Knex.Transaction,
            { ...claim, limit: claim.limit - claimed.length },
            now,
          )),
        );
      }
      return {
        held: completions.map(c => heldIds.has(c.claim.targetId)),
        claimed,
      };
    };
    return claim?.search
      ? this.db.transaction(tx => statement(tx))
      : statement(this.db);
  }

  /**
   * Claims pending targets, oldest run first, up to each run's concurrency
   * minus its running targets. The run rows are read (on PostgreSQL locked,
   * skipping runs another worker is claiming from) in a statement before the
   * counting one, so the count sees every claim committed before the lock:
   * two workers never claim from one run at once.
   */
  private async claimPending(
    tx: Knex.Transaction,
    options: { workerId: string; limit: number; workers?: number },
    now: number,
  ): Promise<ClaimedTarget[]> {
    const { workerId, limit } = options;
    let runsQuery = tx('runbooks_runs')
      .select('id', 'concurrency', 'dry_run', 'requested_by')
      .where('status', 'running')
      .orderBy('created_at')
      .limit(20);
    if (this.isPostgres) runsQuery = runsQuery.forUpdate().skipLocked();
    const runs = await runsQuery;
    if (runs.length === 0) return [];
    const running = new Map<string, { all: number; mine: number }>();
    const counted = await tx('runbooks_targets')
      .whereIn(
        'run_id',
        runs.map(r => r.id),
      )
      .andWhere('status', 'running')
      .groupBy('run_id')
      .select(
        'run_id',
        tx.raw('count(*) as "all"'),
        tx.raw('sum(case when claimed_by = ? then 1 else 0 end) as "mine"', [
          workerId,
        ]),
      );
    for (const row of counted as any[]) {
      running.set(row.run_id, { all: Number(row.all), mine: Number(row.mine) });
    }
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
      const rows = await this.claimFromRun(
        tx,
        run.id,
        free,
        claimId,
        workerId,
        now,
      );
      claimed.push(
        ...rows.map(row =>
          toClaimed(row, claimId, {
            concurrency,
            dryRun: Boolean(run.dry_run),
            requestedBy: run.requested_by,
          }),
        ),
      );
      left -= rows.length;
    }
    return claimed;
  }

  /** Claims up to `limit` pending targets of one run, in position order. */
  private async claimFromRun(
    tx: Knex.Transaction,
    runId: string,
    limit: number,
    claimId: string,
    workerId: string,
    now: number,
  ): Promise<any[]> {
    if (this.isPostgres) {
      // one round trip; `= ANY(ARRAY(...))` keeps the plan on the primary key,
      // and SKIP LOCKED lets concurrent commits (of this worker or another)
      // take the next pending targets instead of waiting for the same ones
      return rowsOf(
        await tx.raw(
          `UPDATE runbooks_targets SET
             status = 'running', claim_id = ?, claimed_by = ?,
             heartbeat_at = ?::bigint,
             started_at = coalesce(started_at, ?::bigint),
             claims = claims + 1
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
    const next = await tx('runbooks_targets')
      .where({ run_id: runId, status: 'pending' })
      .orderBy('position')
      .limit(limit)
      .pluck('id');
    if (next.length === 0) return [];
    // conditional on `pending`: a target cancelled meanwhile is not claimed
    return tx('runbooks_targets')
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
        },
        CLAIMED_COLUMNS,
      );
  }

  /**
   * Records a worker as live with room for `freeSlots` more targets; returns
   * how many live workers (this one included) have room, to split runs by.
   */
  async registerWorker(
    workerId: string,
    freeSlots: number,
    staleAfterMs: number,
  ): Promise<number> {
    const now = Date.now();
    await this.db('runbooks_workers')
      .insert({ id: workerId, seen_at: now, free_slots: freeSlots })
      .onConflict('id')
      .merge(['seen_at', 'free_slots']);
    const [{ count }] = await this.db('runbooks_workers')
      .where('seen_at', '>=', now - staleAfterMs)
      .andWhere(q => q.where('free_slots', '>', 0).orWhere('id', workerId))
      .count({ count: '*' });
    // forget workers gone for good (ten times the staleness window)
    await this.db('runbooks_workers')
      .where('seen_at', '<', now - 10 * staleAfterMs)
      .delete();
    return Math.max(1, Number(count));
  }

  /** A worker that stops leaves the registry at once. */
  async unregisterWorker(workerId: string) {
    await this.db('runbooks_workers').where('id', workerId).delete();
  }

  /** The runbook and parameters of a run, as stored when it started. */
  async getRunDefinition(runId: string): Promise<{
    runbook: any;
    parameters: Record<string, unknown>;
    /** The digest of the runbook's files as the run pinned them (runs from before pinning have none). */
    digest?: string;
  }> {
    const row = await this.db('runbooks_runs')
      .where('id', runId)
      .first('runbook', 'parameters', 'definition_digest');
    if (!row) throw new NotFoundError(`No run ${runId}`);
    return {
      runbook: JSON.parse(row.runbook),
      parameters: JSON.parse(row.parameters),
      digest: (row.definition_digest as string | null) ?? undefined,
    };
  }

  /** A pinned runbook folder's files, by digest. */
  async getDefinitionFiles(digest: string): Promise<Map<string, Buffer>> {
    const row = await this.db('runbooks_definitions')
      .where('digest', digest)
      .first('files');
    if (!row) throw new NotFoundError(`No pinned runbook files ${digest}`);
    return decodeFiles(row.files);
  }

  /** Renews the claims a worker holds; returns the claim ids it still holds. */
  async heartbeat(claimIds: string[]): Promise<Set<string>> {
    if (claimIds.length === 0) return new Set();
    await this.db('runbooks_targets')
      .whereIn('claim_id', claimIds)
      .andWhere('status', 'running')
      .update({ heartbeat_at: Date.now() });
    const held = await this.db('runbooks_targets')
      .whereIn('claim_id', claimIds)
      .andWhere('status', 'running')
      .distinct('claim_id');
    return new Set(held.map(r => r.claim_id));
  }

  /** Of these runs, the ones that were cancelled. */
  async cancelledRuns(runIds: string[]): Promise<Set<string>> {
    if (runIds.length === 0) return new Set();
    const rows = await this.db('runbooks_runs')
      .whereIn('id', runIds)
      .andWhere('status', 'cancelled')
      .select('id');
    return new Set(rows.map(r => r.id));
  }

  /**
   * Moves a claimed target to its terminal state (at most once: the update is
   * conditional on the claim) and finishes the run when it was the last one.
   */
  async finishTarget(
    claim: { runId: string; targetId: string; claimId: string },
    status: TargetStatus,
    error?: string,
  ): Promise<{ finished: boolean; runStatus?: RunStatus }> {
    const { held, runStatuses } = await this.commit([
      { claim, finish: { status, error }, logs: [] },
    ]);
    return { finished: held[0], runStatus: runStatuses.get(claim.runId) };
  }

  /** Sets the run's final status once no target is left to do; returns it when it changed now. */
  async finalizeRun(runId: string): Promise<RunStatus | undefined> {
    // cheap check first (index on run_id, status): called after every target
    const open = await this.db('runbooks_targets')
      .where('run_id', runId)
      .whereIn('status', NON_TERMINAL)
      .first('id');
    if (open) return undefined;
    const counts = await this.countTargets(runId);
    if (NON_TERMINAL.some(s => counts[s] > 0)) return undefined;
    let status: RunStatus = 'succeeded';
    if (counts.failed + counts.rejected > 0) status = 'failed';
    else if (counts.cancelled > 0 && counts.succeeded === 0)
      status = 'cancelled';
    const updated = await this.db('runbooks_runs')
      .where({ id: runId, status: 'running' })
      .update({ status, finished_at: Date.now() });
    return updated ? status : undefined;
  }

  async appendLogs(lines: NewLogLine[]) {
    await this.insertLogs(this.db, lines);
  }

  private async insertLogs(db: Knex, lines: NewLogLine[]) {
    const now = Date.now();
    for (let i = 0; i < lines.length; i += 1000) {
      const rows = values(
        lines
          .slice(i, i + 1000)
          .map(l => [
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

  /** Cancels a run: pending and waiting targets at once, running ones through their workers. */
  async cancelRun(runId: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      const updated = await tx('runbooks_runs')
        .where({ id: runId, status: 'running' })
        .update({ status: 'cancelled', finished_at: Date.now() });
      if (!updated) return false;
      await tx('runbooks_targets')
        .where('run_id', runId)
        .whereIn('status', ['pending', 'awaiting_approval'])
        .update({ status: 'cancelled', finished_at: Date.now() });
      return true;
    });
  }

  /** Approves (to pending) or rejects waiting targets; returns the ids decided. */
  async decide(options: {
    runId: string;
    targetIds?: string[];
    approve: boolean;
    by: string;
    comment?: string;
  }): Promise<string[]> {
    const ids = await this.db.transaction(async tx => {
      let query = tx('runbooks_targets')
        .where({ run_id: options.runId, status: 'awaiting_approval' })
        .select('id');
      if (options.targetIds) query = query.whereIn('id', options.targetIds);
      const rows = await query;
      const found = rows.map(r => r.id);
      for (let i = 0; i < found.length; i += 500) {
        await tx('runbooks_targets')
          .whereIn('id', found.slice(i, i + 500))
          .andWhere('status', 'awaiting_approval')
          .update({
            status: options.approve ? 'pending' : 'rejected',
            decided_by: options.by,
            decision_comment: options.comment ?? null,
            finished_at: options.approve ? null : Date.now(),
          });
      }
      return found;
    });
    if (!options.approve && ids.length) await this.finalizeRun(options.runId);
    return ids;
  }

  async countTargets(runId: string): Promise<TargetCounts> {
    const rows = await this.db('runbooks_targets')
      .where('run_id', runId)
      .groupBy('status')
      .select('status')
      .count({ count: '*' });
    const counts = Object.fromEntries(
      ALL_TARGET_STATUSES.map(s => [s, 0]),
    ) as TargetCounts;
    for (const row of rows as { status: TargetStatus; count: unknown }[]) {
      counts[row.status] = Number(row.count);
    }
    return counts;
  }

  async getRunRow(runId: string) {
    const row = await this.db('runbooks_runs').where('id', runId).first();
    if (!row) throw new NotFoundError(`No run with id ${runId}`);
    return row;
  }

  async toSummary(row: any): Promise<RunSummary> {
    const counts = await this.countTargets(row.id);
    const runbook = parse(row.runbook);
    let status = row.status as RunStatus;
    if (
      status === 'running' &&
      counts.pending + counts.running === 0 &&
      counts.awaiting_approval > 0
    ) {
      status = 'awaiting_approval';
    }
    return {
      id: row.id,
      runbookRef: row.runbook_ref,
      runbookTitle: runbook?.metadata?.title,
      requestedBy: row.requested_by,
      status,
      dryRun: Boolean(row.dry_run),
      parameters: parse(row.parameters) ?? {},
      concurrency: Number(row.concurrency),
      createdAt: iso(row.created_at)!,
      finishedAt: iso(row.finished_at),
      retryOf: row.retry_of ?? undefined,
      schedule: row.schedule ?? undefined,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      counts,
      approvers: approverRefs(
        runbook?.spec?.approval?.approvers,
        runbook?.metadata?.namespace,
      ),
      definition: row.definition_digest
        ? {
            digest: row.definition_digest,
            commit: row.definition_commit ?? undefined,
            source: row.definition_source ?? undefined,
          }
        : undefined,
    };
  }

  async listRuns(options: {
    runbookRefs?: string[];
    entityRef?: string;
    requestedBy?: string;
    status?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ rows: any[]; nextCursor?: string }> {
    let query = this.db('runbooks_runs')
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
        this.db('runbooks_targets')
          .select('run_id')
          .where('entity_ref', options.entityRef),
      );
    }
    if (options.cursor) {
      const [createdAt, id] = Buffer.from(options.cursor, 'base64url')
        .toString()
        .split('|');
      query = query.where(q =>
        q
          .where('created_at', '<', Number(createdAt))
          .orWhere(q2 =>
            q2.where('created_at', Number(createdAt)).andWhere('id', '<', id),
          ),
      );
    }
    const rows = await query;
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      rows: page,
      nextCursor:
        rows.length > options.limit && last
          ? Buffer.from(`${last.created_at}|${last.id}`).toString('base64url')
          : undefined,
    };
  }

  async summaries(rows: any[]): Promise<ListRunsResponse['items']> {
    return Promise.all(rows.map(r => this.toSummary(r)));
  }

  async listTargets(options: {
    runId: string;
    status?: TargetStatus[];
    targetIds?: string[];
    offset: number;
    limit: number;
  }): Promise<ListTargetsResponse> {
    const base = () => {
      let q = this.db('runbooks_targets').where('run_id', options.runId);
      if (options.status?.length) q = q.whereIn('status', options.status);
      if (options.targetIds) q = q.whereIn('id', options.targetIds);
      return q;
    };
    const [{ count }] = await base().count({ count: '*' });
    const rows = await base()
      .orderBy('position')
      .offset(options.offset)
      .limit(options.limit);
    const runbook = (await this.getRunDefinition(options.runId)).runbook;
    return {
      totalCount: Number(count),
      items: rows.map(row => this.toTargetRun(row, runbook)),
    };
  }

  private toTargetRun(row: any, runbook: any): TargetRun {
    const entity = parse(row.entity);
    const stored: (StoredStep | null)[] = parse(row.steps) ?? [];
    // a running target's first unfinished step is the one running
    let current = row.status === 'running';
    const steps: StepRun[] = (runbook?.spec?.steps ?? []).map(
      (step: any, index: number) => {
        const s = stored[index] ?? undefined;
        let derived: StepStatus = TERMINAL_TARGET_STATUSES.includes(row.status)
          ? 'skipped'
          : 'pending';
        if (current && s?.status !== 'succeeded') {
          derived = 'running';
          current = false;
        }
        return {
          stepId: step.id,
          name: step.name,
          executor: step.executor,
          status:
            derived === 'running' && s?.status !== 'succeeded'
              ? 'running'
              : ((s?.status ?? derived) as StepStatus),
          attempts: s?.attempts ?? 0,
          startedAt: iso(s?.startedAt),
          finishedAt: iso(s?.finishedAt),
          output: s?.output,
          error: s?.error,
        };
      },
    );
    return {
      id: row.id,
      runId: row.run_id,
      entityRef: row.entity_ref,
      title: entity?.metadata?.title,
      status: row.status,
      needsApproval: Boolean(row.needs_approval),
      decidedBy: row.decided_by ?? undefined,
      decisionComment: row.decision_comment ?? undefined,
      startedAt: iso(row.started_at),
      finishedAt: iso(row.finished_at),
      claims: Number(row.claims),
      error: row.error ?? undefined,
      steps,
    };
  }

  /** A page of a run's log lines; `targetId: null` pages the run's own lines (no target). */
  async listLogs(options: {
    runId: string;
    targetId?: string | null;
    after?: number;
    limit: number;
  }): Promise<ListLogsResponse> {
    let query = this.db('runbooks_logs')
      .where('run_id', options.runId)
      .orderBy('id')
      .limit(options.limit);
    if (options.targetId) query = query.where('target_id', options.targetId);
    else if (options.targetId === null) query = query.whereNull('target_id');
    if (options.after !== undefined)
      query = query.where('id', '>', options.after);
    const rows = await query;
    const items: RunLogLine[] = rows.map(r => ({
      id: Number(r.id),
      runId: r.run_id,
      targetId: r.target_id ?? undefined,
      stepId: r.step_id ?? undefined,
      level: r.level,
      message: r.message,
      createdAt: iso(r.created_at)!,
    }));
    return {
      items,
      nextCursor: items.length ? items[items.length - 1].id : options.after,
    };
  }

  /** Failed targets of a run, for "retry failed". */
  async failedTargets(runId: string) {
    const rows = await this.db('runbooks_targets')
      .where({ run_id: runId, status: 'failed' })
      .orderBy('position')
      .select('entity_ref', 'entity', 'needs_approval');
    if (rows.length === 0) {
      throw new ConflictError(`Run ${runId} has no failed targets to retry`);
    }
    return rows.map(r => ({
      entityRef: r.entity_ref as string,
      entity: JSON.parse(r.entity),
    }));
  }

  /** Fires a schedule once per cron occurrence across replicas; true for the caller that won. */
  async markScheduleFired(runbookRef: string, occurrence: number) {
    const updated = await this.db('runbooks_schedules')
      .where('runbook_ref', runbookRef)
      .andWhere('last_fired_at', '<', occurrence)
      .update({ last_fired_at: occurrence });
    if (updated) return true;
    const existing = await this.db('runbooks_schedules')
      .where('runbook_ref', runbookRef)
      .first();
    if (existing) return false;
    try {
      await this.db('runbooks_schedules').insert({
        runbook_ref: runbookRef,
        last_fired_at: occurrence,
      });
      return true;
    } catch {
      return false; // another replica inserted it first
    }
  }

  async lastScheduleFire(runbookRef: string): Promise<number | undefined> {
    const row = await this.db('runbooks_schedules')
      .where('runbook_ref', runbookRef)
      .first();
    return row ? Number(row.last_fired_at) : undefined;
  }
}
