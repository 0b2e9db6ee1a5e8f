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
import { ClaimedTarget, NewRun, NewLogLine } from './types';

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

  /** Writes the run and all its targets in one transaction; nothing runs before it commits. */
  async createRun(run: NewRun): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await this.db.transaction(async tx => {
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
      // SQLite allows 999 bound variables per statement
      for (let i = 0; i < rows.length; i += 100) {
        await tx('runbooks_targets').insert(rows.slice(i, i + 100));
      }
    });
    return id;
  }

  /**
   * Claims up to `limit` pending targets for a worker, never exceeding a run's
   * concurrency across all workers. On PostgreSQL the run rows are locked with
   * `FOR UPDATE SKIP LOCKED` (a worker skips a run another one is claiming
   * from) and so are the target rows; on SQLite transactions are serial.
   * Targets whose worker stopped heartbeating are put back first.
   */
  async claimTargets(options: {
    workerId: string;
    limit: number;
    staleAfterMs: number;
  }): Promise<ClaimedTarget[]> {
    const now = Date.now();
    if (now - this.lastStaleCheck >= Math.min(options.staleAfterMs / 4, 5000)) {
      this.lastStaleCheck = now;
      await this.requeueStale(now, options.staleAfterMs);
    }
    if (options.limit <= 0) return [];
    return this.claimPending(options.workerId, options.limit, now);
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

  private async claimPending(workerId: string, limit: number, now: number) {
    const claimId = randomUUID();
    const claimed = await this.db.transaction(async tx => {
      let runsQuery = tx('runbooks_runs')
        .select('id', 'concurrency')
        .where('status', 'running')
        .orderBy('created_at')
        .limit(20);
      if (this.isPostgres) runsQuery = runsQuery.forUpdate().skipLocked();
      const runs = await runsQuery;
      let left = limit;
      const ids: string[] = [];
      for (const run of runs) {
        if (left <= 0) break;
        const [{ count }] = await tx('runbooks_targets')
          .where({ run_id: run.id, status: 'running' })
          .count({ count: '*' });
        const free = Math.min(left, Number(run.concurrency) - Number(count));
        if (free <= 0) continue;
        let pending = tx('runbooks_targets')
          .select('id')
          .where({ run_id: run.id, status: 'pending' })
          .orderBy('position')
          .limit(free);
        if (this.isPostgres) pending = pending.forUpdate().skipLocked();
        const rows = await pending;
        ids.push(...rows.map(r => r.id));
        left -= rows.length;
      }
      if (ids.length === 0) return 0;
      return tx('runbooks_targets')
        .whereIn('id', ids)
        .andWhere('status', 'pending')
        .update({
          status: 'running',
          claim_id: claimId,
          claimed_by: workerId,
          heartbeat_at: now,
          started_at: tx.raw('coalesce(started_at, ?)', [now]),
          claims: tx.raw('claims + 1'),
        });
    });
    if (!claimed) return [];
    const rows = await this.db('runbooks_targets as t')
      .join('runbooks_runs as r', 'r.id', 't.run_id')
      .where('t.claim_id', claimId)
      .select(
        't.id',
        't.run_id',
        't.entity_ref',
        't.entity',
        't.claims',
        'r.dry_run',
        'r.requested_by',
      );
    return rows.map(row => ({
      targetId: row.id,
      runId: row.run_id,
      claimId,
      entityRef: row.entity_ref,
      entity: JSON.parse(row.entity),
      claims: Number(row.claims),
      dryRun: Boolean(row.dry_run),
      requestedBy: row.requested_by,
    }));
  }

  /** The runbook and parameters of a run, as stored when it started. */
  async getRunDefinition(runId: string) {
    const row = await this.db('runbooks_runs')
      .where('id', runId)
      .first('runbook', 'parameters', 'dry_run', 'requested_by');
    if (!row) throw new NotFoundError(`No run ${runId}`);
    return {
      runbook: JSON.parse(row.runbook),
      parameters: JSON.parse(row.parameters),
    };
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

  async getStepRows(targetId: string) {
    return this.db('runbooks_steps').where('target_id', targetId);
  }

  private async holdsClaim(tx: Knex, targetId: string, claimId: string) {
    const held = await tx('runbooks_targets')
      .where({ id: targetId, claim_id: claimId, status: 'running' })
      .update({ heartbeat_at: Date.now() });
    return held === 1;
  }

  /** Marks a step as started; false when the worker lost its claim. */
  async startStep(
    claim: { targetId: string; claimId: string },
    stepIndex: number,
    stepId: string,
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      if (!(await this.holdsClaim(tx, claim.targetId, claim.claimId))) {
        return false;
      }
      const now = Date.now();
      await tx('runbooks_steps')
        .insert({
          target_id: claim.targetId,
          step_index: stepIndex,
          step_id: stepId,
          status: 'running',
          attempts: 1,
          started_at: now,
        })
        .onConflict(['target_id', 'step_index'])
        .merge({
          status: 'running',
          attempts: tx.raw('runbooks_steps.attempts + 1'),
          started_at: now,
          finished_at: null,
          error: null,
        });
      return true;
    });
  }

  /** Records a step's result before the worker moves on; false when the claim was lost. */
  async finishStep(
    claim: { targetId: string; claimId: string },
    stepIndex: number,
    result: { status: StepStatus; output?: unknown; error?: string },
    logs: NewLogLine[] = [],
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      if (!(await this.holdsClaim(tx, claim.targetId, claim.claimId))) {
        return false;
      }
      // the step's log lines commit together with its result
      await this.insertLogs(tx, logs);
      await tx('runbooks_steps')
        .where({ target_id: claim.targetId, step_index: stepIndex })
        .update({
          status: result.status,
          finished_at: Date.now(),
          output:
            result.output === undefined ? null : JSON.stringify(result.output),
          error: result.error ?? null,
        });
      return true;
    });
  }

  /**
   * Records a step's result (and its log lines) before the worker moves on,
   * and for the last step also the target's terminal state: one transaction,
   * conditional on the claim. `ok` is false when the worker lost its claim.
   */
  async completeStep(
    claim: { runId: string; targetId: string; claimId: string },
    step: { index: number; id: string; attempts: number; startedAt: number },
    result: { status: StepStatus; output?: unknown; error?: string },
    logs: NewLogLine[],
    finish?: { status: TargetStatus; error?: string },
  ): Promise<{ ok: boolean; runStatus?: RunStatus }> {
    // Group commit: completions that arrive while a batch is being written
    // share the next transaction (each keeps its own conditional update).
    const ok = await new Promise<boolean>((resolve, reject) => {
      this.completions.push({
        write: tx =>
          this.writeCompletion(tx, claim, step, result, logs, finish),
        resolve,
        reject,
      });
      if (!this.flushing) void this.flushCompletions();
    });
    if (!ok || !finish) return { ok };
    return { ok, runStatus: await this.finalizeRun(claim.runId) };
  }

  private completions: {
    write: (tx: Knex.Transaction) => Promise<boolean>;
    resolve: (ok: boolean) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private flushing = false;

  private async flushCompletions() {
    this.flushing = true;
    try {
      while (this.completions.length) {
        const batch = this.completions.splice(0, 200);
        try {
          const results = await this.db.transaction(async tx => {
            const out: boolean[] = [];
            for (const op of batch) out.push(await op.write(tx));
            return out;
          });
          batch.forEach((op, i) => op.resolve(results[i]));
        } catch (e) {
          batch.forEach(op => op.reject(e));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeCompletion(
    tx: Knex.Transaction,
    claim: { runId: string; targetId: string; claimId: string },
    step: { index: number; id: string; attempts: number; startedAt: number },
    result: { status: StepStatus; output?: unknown; error?: string },
    logs: NewLogLine[],
    finish?: { status: TargetStatus; error?: string },
  ): Promise<boolean> {
    const now = Date.now();
    {
      const held = await tx('runbooks_targets')
        .where({
          id: claim.targetId,
          claim_id: claim.claimId,
          status: 'running',
        })
        .update(
          finish
            ? {
                status: finish.status,
                finished_at: now,
                error: finish.error ?? null,
              }
            : { heartbeat_at: now },
        );
      if (held !== 1) return false;
      const row = {
        status: result.status,
        attempts: step.attempts,
        started_at: step.startedAt,
        finished_at: now,
        output:
          result.output === undefined ? null : JSON.stringify(result.output),
        error: result.error ?? null,
      };
      await tx('runbooks_steps')
        .insert({
          target_id: claim.targetId,
          step_index: step.index,
          step_id: step.id,
          ...row,
        })
        .onConflict(['target_id', 'step_index'])
        .merge(row);
      const lines = finish
        ? [
            ...logs,
            {
              runId: claim.runId,
              targetId: claim.targetId,
              level:
                finish.status === 'succeeded'
                  ? ('info' as const)
                  : ('error' as const),
              message: `Target ${finish.status}${
                finish.error ? `: ${finish.error}` : ''
              }`,
              createdAt: now,
            },
          ]
        : logs;
      await this.insertLogs(tx, lines);
      return true;
    }
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
    const now = Date.now();
    const finished = await this.db.transaction(async tx => {
      const updated = await tx('runbooks_targets')
        .where({
          id: claim.targetId,
          claim_id: claim.claimId,
          status: 'running',
        })
        .update({ status, finished_at: now, error: error ?? null });
      if (updated !== 1) return false;
      await tx('runbooks_logs').insert({
        run_id: claim.runId,
        target_id: claim.targetId,
        level: status === 'succeeded' ? 'info' : 'error',
        message: `Target ${status}${error ? `: ${error}` : ''}`,
        created_at: now,
      });
      return true;
    });
    if (!finished) return { finished };
    return { finished, runStatus: await this.finalizeRun(claim.runId) };
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
    for (let i = 0; i < lines.length; i += 100) {
      await db('runbooks_logs').insert(
        lines.slice(i, i + 100).map(l => ({
          run_id: l.runId,
          target_id: l.targetId ?? null,
          step_id: l.stepId ?? null,
          level: l.level,
          message: l.message,
          created_at: l.createdAt ?? Date.now(),
        })),
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
      approvers: runbook?.spec?.approval?.approvers,
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
    const stepsByTarget = new Map<string, any[]>();
    const ids = rows.map(r => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      const steps = await this.db('runbooks_steps').whereIn(
        'target_id',
        ids.slice(i, i + 500),
      );
      for (const s of steps) {
        const list = stepsByTarget.get(s.target_id) ?? [];
        list.push(s);
        stepsByTarget.set(s.target_id, list);
      }
    }
    return {
      totalCount: Number(count),
      items: rows.map(row =>
        this.toTargetRun(row, runbook, stepsByTarget.get(row.id) ?? []),
      ),
    };
  }

  private toTargetRun(row: any, runbook: any, stepRows: any[]): TargetRun {
    const entity = parse(row.entity);
    const byIndex = new Map(stepRows.map(s => [Number(s.step_index), s]));
    // a running target's first unfinished step is the one running
    let current = row.status === 'running';
    const steps: StepRun[] = (runbook?.spec?.steps ?? []).map(
      (step: any, index: number) => {
        const s = byIndex.get(index);
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
          attempts: Number(s?.attempts ?? 0),
          startedAt: iso(s?.started_at),
          finishedAt: iso(s?.finished_at),
          output: parse(s?.output),
          error: s?.error ?? undefined,
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

  async listLogs(options: {
    runId: string;
    targetId?: string;
    after?: number;
    limit: number;
  }): Promise<ListLogsResponse> {
    let query = this.db('runbooks_logs')
      .where('run_id', options.runId)
      .orderBy('id')
      .limit(options.limit);
    if (options.targetId) query = query.where('target_id', options.targetId);
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
