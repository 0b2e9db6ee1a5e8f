import { LoggerService } from '@backstage/backend-plugin-api';
import {
  parseDuration,
  RunbookEntityV1alpha1,
  RunStatus,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import {
  Redactor,
  redactingLogger,
  RunbookExecutor,
  RunbookExecutorContext,
  StreamRedactor,
} from '@fleetdeck/plugin-runbooks-node';
import { mkdtempSync } from 'fs';
import { rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { RunStore } from '../database/RunStore';
import {
  ClaimedTarget,
  Completion,
  NewLogLine,
  StoredStep,
} from '../database/types';
import { renderTemplates } from './templating';
import { ParameterVault, runRedactor } from './secrets';
import { SecretScopes } from '../trust/SecretScopes';
import { TrustPolicy } from '../trust/TrustPolicy';
import { materialize } from '../trust/DefinitionSnapshots';
import { describeError, messageOf } from '../lib/errors';

/** Hooks the worker calls when states change (signals, notifications). */
export interface RunEvents {
  targetChanged(runId: string, targetId: string, status: TargetStatus): void;
  runFinished(runId: string, status: RunStatus): void;
}

/** Tuning of a worker; all values have defaults suited to production. */
export interface RunWorkerOptions {
  store: RunStore;
  executors: Map<string, RunbookExecutor>;
  logger: LoggerService;
  workerId: string;
  /** Configured secrets; each run gets those its runbook may use. */
  secrets?: SecretScopes;
  /**
   * Checked again when a target is picked up: a runbook or target that is
   * not trusted (any more) fails instead of running.
   */
  trust?: TrustPolicy;
  /** Decrypts the runs' secret parameters. */
  vault?: ParameterVault;
  events?: RunEvents;
  /** Targets this worker runs at once, over all runs. */
  maxParallel?: number;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** A claim whose heartbeat is older than this is taken over by another worker. */
  staleAfterMs?: number;
  /** Step timeout when the runbook sets none. */
  defaultTimeoutMs?: number;
}

/** Active targets are keyed by claim: a target lost and re-claimed is a new entry. */
const keyOf = (claim: { claimId: string; targetId: string }) =>
  `${claim.claimId}/${claim.targetId}`;

class LostClaimError extends Error {}
class CancelledError extends Error {}
class StepFailedError extends Error {}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

interface RunDefinition {
  runbook: RunbookEntityV1alpha1;
  parameters: Record<string, unknown>;
  redactor: Redactor;
  /** The secrets the runbook may use. */
  secrets: Record<string, string>;
  /** The digest of the runbook's files as the run pinned them. */
  digest?: string;
  /** Why the run's parameters cannot be used (its targets fail with it). */
  problem?: string;
}

/** A target this worker holds and executes. */
interface ActiveTarget {
  claim: ClaimedTarget;
  controller: AbortController;
  cancelled: boolean;
  /** Its end is being written: the slot goes to the next claimed target. */
  releasing: boolean;
  /** Step results by position, as recorded (a copy is written with each). */
  steps: (StoredStep | null)[];
}

/** A log line as buffered until it is stored. */
type BufferedLine = NewLogLine & { taken?: boolean };

/**
 * The log stream of a target this worker runs: its lines pass through one
 * stream redactor (made at the first line, with the run's secrets), which
 * may hold the last ones back until the next show no secret continues in
 * them; `held` keeps those lines' level and time, in order.
 */
interface TargetStream {
  redactor?: StreamRedactor;
  held: BufferedLine[];
}

interface QueuedWrite {
  completion: Completion;
  entry: ActiveTarget;
  resolve(held: boolean): void;
  reject(e: unknown): void;
}

/**
 * Claims targets from the run store and executes their steps. Every backend
 * replica runs one; they coordinate only through the database.
 *
 * All of a worker's writes go through one queue (the pump): step results and
 * target ends that arrive together commit in one transaction, which also
 * claims the next targets for the slots they free. On PostgreSQL two such
 * commits may be in flight (they touch disjoint rows: a target has one write
 * queued at a time, and claims skip locked rows); on SQLite one.
 */
export class RunWorker {
  private readonly active = new Map<string, ActiveTarget>();
  private readonly definitions = new Map<string, Promise<RunDefinition>>();
  private readonly pinned = new Map<string, Promise<Map<string, Buffer>>>();
  private readonly baseRedactor: Redactor;
  private stopped = true;
  private timers: NodeJS.Timeout[] = [];
  /** Lines not stored yet; those a target's write took are marked `taken`. */
  private logBuffer: BufferedLine[] = [];
  private logsByTarget = new Map<string, BufferedLine[]>();
  /** The log streams of the targets this worker runs, by target id. */
  private readonly streams = new Map<string, TargetStream>();
  private queue: QueuedWrite[] = [];
  private wantClaim = false;
  private beatDue = false;
  private logsDue = false;
  private pumping?: Promise<void>;
  private pumpScheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Live workers with room (this one included), as of the last heartbeat. */
  private workers = 1;

  constructor(private readonly options: RunWorkerOptions) {
    this.baseRedactor = new Redactor(options.secrets?.values() ?? []);
    // whatever the worker logs about runs passes the configured secrets' redactor
    this.options = {
      ...options,
      logger: redactingLogger(options.logger, () => this.baseRedactor),
    };
  }

  /** Redacts every configured secret (not a run's secret parameters). */
  get redactor(): Redactor {
    return this.baseRedactor;
  }

  /**
   * Redacts what a run's output may hold: every configured secret and the
   * run's secret parameters (the configured secrets alone when the run
   * cannot be read).
   */
  async redactorFor(runId: string): Promise<Redactor> {
    try {
      return (await this.definition(runId)).redactor.union(this.baseRedactor);
    } catch {
      return this.baseRedactor;
    }
  }

  get activeCount() {
    return this.active.size;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.beatDue = true; // register before the first claim
    this.timers = [
      setInterval(() => this.wake(), this.options.pollIntervalMs ?? 1000),
      setInterval(() => {
        this.beatDue = true;
        this.schedulePump();
      }, this.options.heartbeatIntervalMs ?? 5000),
      // log lines of long steps reach the live view within a quarter second
      setInterval(() => {
        if (this.logBuffer.length) {
          this.logsDue = true;
          this.schedulePump();
        }
      }, 250),
    ];
    this.wake();
  }

  /** Stops claiming and aborts what runs: another replica re-claims it. */
  async stop() {
    this.stopped = true;
    this.timers.forEach(t => clearInterval(t));
    for (const a of this.active.values())
      a.controller.abort(new LostClaimError('worker stopped'));
    const deadline = Date.now() + 10_000;
    while (this.active.size > 0 && Date.now() < deadline) await sleep(20);
    while (this.pumping || this.pumpScheduled || this.inFlight.size) {
      await (this.pumping ?? Promise.race([...this.inFlight, sleep(5)]));
    }
    await this.flushLogs();
    await this.options.store
      .unregisterWorker(this.options.workerId)
      .catch(e => this.options.logger.warn(`Could not unregister: ${e}`));
  }

  /** Aborts this worker's targets of a cancelled run at once (other replicas notice on their heartbeat). */
  abortRun(runId: string) {
    for (const entry of this.active.values()) {
      if (entry.claim.runId === runId) {
        entry.cancelled = true;
        entry.controller.abort(new CancelledError('Run cancelled'));
      }
    }
  }

  /** Claims at once instead of at the next poll (a run was created or approved). */
  wake() {
    if (this.stopped) return;
    this.wantClaim = true;
    this.schedulePump();
  }

  private freeSlots(releasing = 0) {
    if (this.stopped) return 0;
    return (this.options.maxParallel ?? 50) - (this.active.size - releasing);
  }

  /** Runs the pump after the current moment, so writes of this moment share it. */
  private schedulePump() {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (this.pumping) return; // the running pump picks the work up
      this.pumping = this.pump().finally(() => {
        this.pumping = undefined;
        // with every commit slot taken, the next commit to end reschedules
        const full =
          this.inFlight.size >= (this.options.store.parallelCommits ?? 1);
        if (this.hasWork() && !full) this.schedulePump();
      });
    });
  }

  private hasWork() {
    return (
      this.queue.length > 0 ||
      this.beatDue ||
      this.logsDue ||
      (this.wantClaim && this.freeSlots() > 0)
    );
  }

  private async pump() {
    const inFlightMax = this.options.store.parallelCommits ?? 1;
    while (this.hasWork()) {
      if (this.beatDue) {
        this.beatDue = false;
        await this.beat().catch(e =>
          this.options.logger.warn(`Heartbeat failed: ${e}`),
        );
      }
      if (this.logsDue || this.logBuffer.length >= 200) {
        this.logsDue = false;
        await this.flushLogs();
      }
      if (this.inFlight.size >= inFlightMax) {
        // a commit that ends schedules the pump again
        return;
      }
      // With two commits in flight, a wave goes out in halves: one half's
      // commit overlaps the other half's execution.
      const cap =
        inFlightMax > 1
          ? Math.ceil((this.options.maxParallel ?? 50) / inFlightMax)
          : 500;
      const batch = this.queue.splice(0, cap);
      const releasing = batch.filter(w => w.completion.finish);
      for (const w of releasing) w.entry.releasing = true;
      const free = this.freeSlots(releasing.length);
      const handOff = this.handOff(releasing);
      // look for work beyond the hand-off when asked to (new run, approval,
      // poll) or when the hand-off could not use every slot freed
      const search = free > 0 && this.wantClaim;
      if (batch.length === 0 && !search) continue;
      this.wantClaim = false;
      const commit: Promise<void> = this.commitBatch(
        batch,
        releasing,
        free,
        handOff,
        search,
      ).finally(() => {
        this.inFlight.delete(commit);
        this.schedulePump();
      });
      this.inFlight.add(commit);
    }
  }

  private async commitBatch(
    batch: QueuedWrite[],
    releasing: QueuedWrite[],
    free: number,
    handOff: ReturnType<RunWorker['handOff']>,
    search: boolean,
  ) {
    try {
      const result = await this.options.store.commit(
        batch.map(w => w.completion),
        {
          workerId: this.options.workerId,
          limit: Math.max(0, free),
          staleAfterMs: this.options.staleAfterMs ?? 60_000,
          workers: this.workers,
          handOff,
          search,
        },
      );
      const handedOff = result.claimed.length;
      if (releasing.length > handedOff || (search && handedOff === free)) {
        // slots left over (a run ran out, or a share shrank), or a full
        // claim that may have left more behind: look again
        this.wantClaim = true;
      }
      for (const w of releasing) this.active.delete(keyOf(w.entry.claim));
      batch.forEach((w, i) => {
        w.resolve(result.held[i]);
        const { claim } = w.completion;
        if (w.completion.finish && result.held[i]) {
          this.options.events?.targetChanged(
            claim.runId,
            claim.targetId,
            w.completion.finish.status,
          );
        }
      });
      for (const [runId, status] of result.runStatuses) {
        this.options.events?.runFinished(runId, status);
      }
      for (const claim of result.claimed) this.execute(claim);
    } catch (e) {
      this.options.logger.warn(`Writing runbook progress failed: ${e}`);
      for (const w of releasing) this.active.delete(keyOf(w.entry.claim));
      batch.forEach(w => w.reject(e));
    }
  }

  /**
   * Per run with targets ending in this batch: how many of the freed slots
   * this worker may pass on, keeping it within its share of the run's
   * concurrency (so other live workers get theirs).
   */
  private handOff(releasing: QueuedWrite[]) {
    const runs = new Map<string, ClaimedTarget>();
    for (const w of releasing) runs.set(w.entry.claim.runId, w.entry.claim);
    return [...runs.values()].map(claim => {
      let mine = 0;
      for (const a of this.active.values()) {
        if (a.claim.runId === claim.runId && !a.releasing) mine++;
      }
      const share = Math.ceil(claim.concurrency / this.workers);
      return {
        runId: claim.runId,
        max: Math.max(0, share - mine),
        concurrency: claim.concurrency,
        dryRun: claim.dryRun,
        requestedBy: claim.requestedBy,
      };
    });
  }

  /**
   * Queues a write about a target this worker holds; resolves once it is
   * committed, to false when the claim was lost (nothing was written).
   */
  private record(entry: ActiveTarget, completion: Completion) {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ completion, entry, resolve, reject });
      this.schedulePump();
    }).catch(e => {
      // the store failed: give the target up; a replica re-claims it once its
      // heartbeat is stale and resumes after its last recorded step
      throw new LostClaimError(`could not record progress: ${e}`);
    });
  }

  private async beat() {
    this.workers = await this.options.store.registerWorker(
      this.options.workerId,
      this.freeSlots(),
      this.options.staleAfterMs ?? 60_000,
    );
    const entries = [...this.active.values()];
    if (entries.length === 0) return;
    const held = await this.options.store.heartbeat([
      ...new Set(entries.map(e => e.claim.claimId)),
    ]);
    const cancelled = await this.options.store.cancelledRuns([
      ...new Set(entries.map(e => e.claim.runId)),
    ]);
    for (const entry of entries) {
      if (entry.releasing) continue;
      if (!held.has(entry.claim.claimId)) {
        entry.controller.abort(new LostClaimError('claim lost'));
      } else if (cancelled.has(entry.claim.runId)) {
        entry.cancelled = true;
        entry.controller.abort(new CancelledError('Run cancelled'));
      }
    }
  }

  /**
   * Buffers a line to store. A target's lines pass through its stream
   * redactor, so a secret split over lines is redacted too; a line it holds
   * back is buffered once the next lines (or the step's end) release it.
   */
  private log(line: NewLogLine, redactor: Redactor) {
    // NUL first (PostgreSQL text cannot hold it; tools do print it): a NUL
    // inside a secret must not hide it from the redactor
    const text =
      typeof line.message === 'string' ? line.message : String(line.message);
    const stored: BufferedLine = {
      ...line,
      message:
        text.indexOf('\u0000') >= 0 ? text.split('\u0000').join('') : text,
      createdAt: Date.now(),
    };
    const stream =
      redactor.active && line.targetId
        ? this.streams.get(line.targetId)
        : undefined;
    if (!stream) {
      // no secrets, or a line after its target ended (an executor that
      // ignored its abort): redacted alone
      stored.message = redactor.redact(stored.message);
      this.buffer(stored);
      return;
    }
    stream.redactor ??= redactor.stream();
    stream.held.push(stored);
    for (const message of stream.redactor.push(stored.message)) {
      const released = stream.held.shift()!;
      released.message = message;
      this.buffer(released);
    }
  }

  /** Buffers the lines a target's stream still holds back (its step ended). */
  private releaseHeld(targetId: string) {
    const stream = this.streams.get(targetId);
    if (!stream?.redactor) return;
    for (const message of stream.redactor.flush()) {
      const released = stream.held.shift()!;
      released.message = message;
      this.buffer(released);
    }
  }

  private buffer(stored: BufferedLine) {
    this.logBuffer.push(stored);
    if (stored.targetId) {
      const mine = this.logsByTarget.get(stored.targetId);
      if (mine) mine.push(stored);
      else this.logsByTarget.set(stored.targetId, [stored]);
    }
    if (this.logBuffer.length >= 200) {
      this.logsDue = true;
      this.schedulePump();
    }
  }

  /** Takes the buffered lines of one target, to commit with its next write. */
  private takeLogs(targetId: string): NewLogLine[] {
    // a step's lines are complete at its end: nothing waits for the next step
    this.releaseHeld(targetId);
    const mine = this.logsByTarget.get(targetId) ?? [];
    this.logsByTarget.delete(targetId);
    for (const line of mine) line.taken = true;
    return mine;
  }

  private async flushLogs() {
    const lines = this.logBuffer.filter(l => !l.taken);
    this.logBuffer = [];
    this.logsByTarget.clear();
    if (lines.length === 0) return;
    try {
      await this.options.store.appendLogs(lines);
    } catch (e) {
      this.options.logger.warn(
        `Could not store ${lines.length} log lines: ${e}`,
      );
    }
  }

  /** Pinned runbook folders by digest: shared by every run of the same files. */
  private pinnedFiles(digest: string): Promise<Map<string, Buffer>> {
    let found = this.pinned.get(digest);
    if (!found) {
      found = this.options.store.getDefinitionFiles(digest);
      this.pinned.set(digest, found);
      if (this.pinned.size > 20) {
        this.pinned.delete(this.pinned.keys().next().value!);
      }
      found.catch(() => this.pinned.delete(digest));
    }
    return found;
  }

  private definition(runId: string): Promise<RunDefinition> {
    let found = this.definitions.get(runId);
    if (!found) {
      found = this.options.store.getRunDefinition(runId).then(d => {
        let parameters = d.parameters;
        let problem: string | undefined;
        try {
          parameters = (this.options.vault ?? new ParameterVault()).open(
            d.parameters,
          );
        } catch (e) {
          problem = (e as Error).message;
        }
        const trust = this.options.trust?.runbook(d.runbook);
        if (trust && !trust.trusted) problem = trust.reason;
        problem ??= this.options.secrets?.problem(d.runbook);
        return {
          ...d,
          parameters,
          problem,
          secrets: this.options.secrets?.forRunbook(d.runbook) ?? {},
          redactor: runRedactor(
            this.baseRedactor,
            d.runbook?.spec?.parameters,
            parameters,
          ),
        };
      });
      this.definitions.set(runId, found);
      if (this.definitions.size > 200) {
        this.definitions.delete(this.definitions.keys().next().value!);
      }
      found.catch(() => this.definitions.delete(runId));
    }
    return found;
  }

  private execute(claim: ClaimedTarget) {
    const entry: ActiveTarget = {
      claim,
      controller: new AbortController(),
      cancelled: false,
      releasing: false,
      steps: [...claim.steps],
    };
    const key = keyOf(claim);
    this.active.set(key, entry);
    this.options.events?.targetChanged(claim.runId, claim.targetId, 'running');
    const stream: TargetStream = { held: [] };
    this.streams.set(claim.targetId, stream);
    this.runTarget(entry)
      .catch(async e => {
        // the run's own secret parameters too, when it could be read
        const redactor =
          (await this.definitions
            .get(claim.runId)
            ?.then(d => d.redactor)
            .catch(() => undefined)) ?? this.baseRedactor;
        this.options.logger.error(
          `Runbook target ${claim.targetId} crashed: ${redactor.redact(
            describeError(e),
          )}`,
        );
      })
      .finally(() => {
        if (this.streams.get(claim.targetId) === stream) {
          this.releaseHeld(claim.targetId);
          this.streams.delete(claim.targetId);
        }
        // a target that ended through the pump already passed its slot on
        if (this.active.get(key) === entry) {
          this.active.delete(key);
          this.wake();
        }
      });
  }

  private async runTarget(entry: ActiveTarget) {
    const { claim, controller } = entry;
    let def: RunDefinition;
    try {
      def = await this.definition(claim.runId);
    } catch (e) {
      // the run row is unreadable now: leave the claim to go stale and retry
      throw new Error(`cannot read run ${claim.runId}: ${e}`);
    }
    const { runbook, parameters, redactor } = def;
    const log = (
      level: NewLogLine['level'],
      message: string,
      stepId?: string,
    ) =>
      this.log(
        {
          runId: claim.runId,
          targetId: claim.targetId,
          stepId,
          level,
          message,
        },
        redactor,
      );
    let finalStatus: TargetStatus;
    let error: string;
    try {
      if (def.problem) throw new StepFailedError(def.problem);
      const targetTrust = this.options.trust?.target(claim.entity);
      if (targetTrust && !targetTrust.trusted) {
        throw new StepFailedError(targetTrust.reason);
      }
      if (claim.claims > 1) {
        log(
          'info',
          `Resuming on ${this.options.workerId} (claim ${claim.claims})`,
        );
      }
      const stepsContext: Record<string, { output?: unknown }> = {};
      const steps = runbook.spec.steps;
      for (let index = 0; index < steps.length; index++) {
        const step = steps[index];
        const previous = entry.steps[index];
        if (previous?.status === 'succeeded') {
          stepsContext[step.id] = { output: previous.output };
          continue;
        }
        stepsContext[step.id] = await this.runStep({
          entry,
          def,
          index,
          log,
          context: {
            target: claim.entity,
            parameters,
            steps: stepsContext,
            run: {
              id: claim.runId,
              dryRun: claim.dryRun,
              requestedBy: claim.requestedBy,
            },
            secrets: def.secrets,
          },
        });
      }
      // the last step's completion ended the target
      return;
    } catch (e) {
      if (
        e instanceof LostClaimError ||
        controller.signal.reason instanceof LostClaimError
      ) {
        // another worker owns the target now (or this one is stopping): write nothing
        if (
          !this.stopped &&
          !(controller.signal.reason instanceof LostClaimError)
        )
          this.options.logger.warn(
            `Gave up runbook target ${claim.targetId}: ${redactor.redact(
              messageOf(e),
            )}`,
          );
        return;
      }
      if (entry.cancelled) {
        finalStatus = 'cancelled';
        error = 'Run cancelled';
      } else {
        finalStatus = 'failed';
        error = redactor.redact(messageOf(e));
      }
    }
    await this.record(entry, {
      claim,
      finish: { status: finalStatus, error },
      logs: this.takeLogs(claim.targetId),
    }).catch(e => {
      if (!(e instanceof LostClaimError)) throw e;
    });
  }

  /** The target's step results with one step's result set, as written next. */
  private withStep(
    entry: ActiveTarget,
    index: number,
    result: Omit<StoredStep, 'finishedAt'>,
  ) {
    entry.steps[index] = { ...result, finishedAt: Date.now() };
    return Array.from(entry.steps, s => s ?? null);
  }

  private async runStep(args: {
    entry: ActiveTarget;
    def: RunDefinition;
    index: number;
    log: (level: NewLogLine['level'], message: string, stepId?: string) => void;
    context: Record<string, unknown>;
  }): Promise<{ output?: unknown }> {
    const { entry, def, index, log } = args;
    const { claim, controller } = entry;
    const { runbook, redactor } = def;
    const step = runbook.spec.steps[index];
    const executor = this.options.executors.get(step.executor);
    const retries = step.retries ?? runbook.spec.retries ?? { count: 0 };
    const timeoutMs = parseDuration(
      step.timeout ?? runbook.spec.timeout,
      this.options.defaultTimeoutMs ?? 30 * 60_000,
    );
    const last = index === runbook.spec.steps.length - 1;
    for (let attempt = 1; ; attempt++) {
      if (controller.signal.aborted) {
        throw entry.cancelled
          ? new CancelledError('Run cancelled')
          : new LostClaimError('claim lost');
      }
      const stepRecord = {
        id: step.id,
        attempts: attempt,
        startedAt: Date.now(),
      };
      // one signal per attempt: aborted by the target's (cancel, lost claim)
      // or by the step's timeout
      const attemptController = new AbortController();
      const forward = () => attemptController.abort(controller.signal.reason);
      controller.signal.addEventListener('abort', forward, { once: true });
      const timer = setTimeout(
        () =>
          attemptController.abort(
            new Error(`Step ${step.id} timed out after ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      const signal = attemptController.signal;
      let workingDirectory: string | undefined;
      try {
        if (!executor)
          throw new StepFailedError(
            `No executor '${step.executor}' is installed`,
          );
        const input = renderTemplates(step.input ?? {}, args.context) as Record<
          string,
          unknown
        >;
        log(
          'info',
          `Step ${step.id} (${step.executor}) attempt ${attempt}${
            claim.dryRun ? ', dry run' : ''
          }`,
          step.id,
        );
        const context = {
          input,
          target: claim.entity,
          runbook,
          parameters: def.parameters,
          runId: claim.runId,
          targetId: claim.targetId,
          stepId: step.id,
          idempotencyKey: `${claim.runId}/${claim.targetId}/${step.id}`,
          attempt,
          dryRun: claim.dryRun,
          signal,
          secrets: def.secrets,
          logger: {
            info: (m: string) => log('info', m, step.id),
            warn: (m: string) => log('warn', m, step.id),
            error: (m: string) => log('error', m, step.id),
          },
        };
        // the step's directory is made when an executor first asks for it
        // the pinned folder: read once per worker and digest, written out
        // only for an executor that reads it
        const files = def.digest && (await this.pinnedFiles(def.digest));
        const workDir = () =>
          (workingDirectory ??= mkdtempSync(join(tmpdir(), 'runbook-step-')));
        Object.defineProperty(context, 'workingDirectory', {
          enumerable: true,
          get: workDir,
        });
        let definitionDirectory: string | undefined;
        Object.defineProperty(context, 'definitionDirectory', {
          enumerable: true,
          get: () =>
            files &&
            (definitionDirectory ??= materialize(
              files,
              join(workDir(), 'runbook'),
            )),
        });
        const result = await Promise.race([
          executor.execute(context as RunbookExecutorContext),
          // an executor that ignores its signal is abandoned on abort
          new Promise<never>((_, reject) => {
            if (signal.aborted) reject(signal.reason);
            signal.addEventListener('abort', () => reject(signal.reason), {
              once: true,
            });
          }),
        ]);
        const output = result?.output
          ? redactor.redactJson(result.output)
          : undefined;
        // the last step's result and the target's end commit together
        const held = await this.record(entry, {
          claim,
          steps: this.withStep(entry, index, {
            ...stepRecord,
            status: 'succeeded',
            output,
          }),
          finish: last ? { status: 'succeeded' } : undefined,
          logs: this.takeLogs(claim.targetId),
        });
        if (!held) throw new LostClaimError('claim lost');
        return { output };
      } catch (e) {
        if (
          e instanceof LostClaimError ||
          controller.signal.reason instanceof LostClaimError
        ) {
          throw new LostClaimError('claim lost');
        }
        const message = redactor.redact(messageOf(e));
        if (entry.cancelled) {
          log('warn', `Step ${step.id} cancelled`, step.id);
          await this.record(entry, {
            claim,
            steps: this.withStep(entry, index, {
              ...stepRecord,
              status: 'cancelled',
              error: 'Run cancelled',
            }),
            logs: this.takeLogs(claim.targetId),
          });
          throw new CancelledError('Run cancelled');
        }
        log('error', `Step ${step.id} failed: ${message}`, step.id);
        if (
          !(await this.record(entry, {
            claim,
            steps: this.withStep(entry, index, {
              ...stepRecord,
              status: 'failed',
              error: message,
            }),
            logs: this.takeLogs(claim.targetId),
          }))
        ) {
          throw new LostClaimError('claim lost');
        }
        const retriable =
          !(e instanceof StepFailedError) &&
          !((e as any)?.name === 'InputError');
        if (!retriable || attempt > retries.count) {
          throw new StepFailedError(`Step ${step.id} failed: ${message}`);
        }
        const backoff =
          parseDuration(retries.backoff, 1000) * 2 ** (attempt - 1);
        log('info', `Retrying step ${step.id} in ${backoff} ms`, step.id);
        await sleep(backoff, controller.signal);
        if (controller.signal.aborted) {
          if (entry.cancelled) throw new CancelledError('Run cancelled');
          throw new LostClaimError('claim lost');
        }
      } finally {
        clearTimeout(timer);
        controller.signal.removeEventListener('abort', forward);
        if (workingDirectory)
          await rm(workingDirectory, { recursive: true, force: true });
      }
    }
  }
}
