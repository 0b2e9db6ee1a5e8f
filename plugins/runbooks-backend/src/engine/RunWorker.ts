import { LoggerService } from '@backstage/backend-plugin-api';
import { Redactor, redactingLogger } from '@fleetdeck/fleetdeck-node';
import { RunbookExecutor } from '@fleetdeck/plugin-runbooks-node';
import { RunBroker } from '../broker/RunBroker';
import { RunStore } from '../database/RunStore';
import { ClaimedTarget } from '../database/types';
import { describeError } from '../lib/errors';
import { SecretScopes } from '../trust/SecretScopes';
import { TrustPolicy } from '../trust/TrustPolicy';
import {
  ActiveTargets,
  CancelledError,
  LostClaimError,
  sleep,
} from './ActiveTargets';
import { CommitPump } from './CommitPump';
import { LogBuffer } from './LogBuffer';
import { RunDefinitions } from './RunDefinitions';
import { ParameterVault } from './secrets';
import { StepRunner } from './StepRunner';
import { TargetRunner } from './TargetRunner';

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
  /**
   * Wakes the worker (new work) and aborts cancelled runs at once; hears
   * what the worker did (targets started and ended, log lines stored, runs
   * finished). Without one the worker finds work by polling and notices
   * cancellations at its heartbeat.
   */
  broker?: RunBroker;
  /** Targets this worker runs at once, over all runs. */
  maxParallel?: number;
  /**
   * Commits this worker keeps in flight, at most what the store allows
   * (default 1). One commit takes every write that arrived while the last
   * was in flight, so it batches by itself; a second overlaps a commit's
   * round trip with the next targets' execution, which pays off only where
   * the database is far away (on this repository's 2-core benchmark with a
   * local PostgreSQL, 1,000 no-op targets took 0.35 s with one and 0.38 s
   * with two, and 1,000 x 100 ms steps the same 2.3 s).
   */
  parallelCommits?: number;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** A claim whose heartbeat is older than this is taken over by another worker. */
  staleAfterMs?: number;
  /** Step timeout when the runbook sets none. */
  defaultTimeoutMs?: number;
}

/** Log lines of long steps reach the live view within this time. */
const LOG_FLUSH_MS = 250;
/** How long stopping waits for the running targets to let go. */
const STOP_GRACE_MS = 10_000;

/**
 * Claims targets from the run store and executes them: the worker loop of a
 * backend replica. Every replica runs one; they coordinate through the
 * database (claims, heartbeats, takeovers) and hear each other through the
 * broker. The parts: {@link CommitPump} (every write, batched, with the
 * hand-off of freed slots), {@link TargetRunner} and {@link StepRunner}
 * (executing), {@link LogBuffer} (log lines, redacted as streams) and
 * {@link RunDefinitions} (each run's definition, decrypted, cached).
 */
export class RunWorker {
  private readonly active: ActiveTargets;
  private readonly baseRedactor: Redactor;
  private readonly logger: LoggerService;
  private readonly definitions: RunDefinitions;
  private readonly logs: LogBuffer;
  private readonly pump: CommitPump;
  private readonly targets: TargetRunner;
  private readonly staleAfterMs: number;
  private stopped = true;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void)[] = [];

  constructor(private readonly options: RunWorkerOptions) {
    const { store, broker } = options;
    this.baseRedactor = new Redactor(options.secrets?.values() ?? []);
    // whatever the worker logs about runs passes the configured secrets' redactor
    this.logger = redactingLogger(options.logger, () => this.baseRedactor);
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
    this.active = new ActiveTargets(options.maxParallel ?? 50);
    this.definitions = new RunDefinitions({
      store,
      baseRedactor: this.baseRedactor,
      vault: options.vault,
      trust: options.trust,
      secrets: options.secrets,
    });
    this.logs = new LogBuffer({
      store,
      logger: this.logger,
      broker,
      onFull: () => this.pump.wantLogs(),
    });
    this.pump = new CommitPump({
      store,
      parallelCommits: Math.max(
        1,
        Math.min(options.parallelCommits ?? 1, store.parallelCommits),
      ),
      workerId: options.workerId,
      staleAfterMs: this.staleAfterMs,
      logger: this.logger,
      active: this.active,
      logs: this.logs,
      broker,
      beat: () => this.beat(),
      execute: claim => this.execute(claim),
    });
    const record = this.pump.record.bind(this.pump);
    this.targets = new TargetRunner({
      workerId: options.workerId,
      logger: this.logger,
      definitions: this.definitions,
      logs: this.logs,
      trust: options.trust,
      record,
      stopping: () => this.stopped,
      steps: new StepRunner({
        executors: options.executors,
        defaultTimeoutMs: options.defaultTimeoutMs ?? 30 * 60_000,
        pinnedFiles: digest => this.definitions.pinnedFiles(digest),
        record,
        takeLogs: targetId => this.logs.take(targetId),
      }),
    });
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
  redactorFor(runId: string): Promise<Redactor> {
    return this.definitions.redactorFor(runId);
  }

  get activeCount() {
    return this.active.size;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.active.accepting = true;
    this.pump.wantBeat(); // register before the first claim
    this.timers = [
      setInterval(() => this.wake(), this.options.pollIntervalMs ?? 1000),
      setInterval(
        () => this.pump.wantBeat(),
        this.options.heartbeatIntervalMs ?? 5000,
      ),
      setInterval(() => {
        if (this.logs.size > 0) this.pump.wantLogs();
      }, LOG_FLUSH_MS),
    ];
    const { broker } = this.options;
    if (broker) {
      this.unsubscribe = [
        broker.onWake(() => this.wake()),
        broker.onAbort(runId => this.abortRun(runId)),
      ];
    }
    this.wake();
  }

  /** Stops claiming and aborts what runs: another replica re-claims it. */
  async stop() {
    this.stopped = true;
    this.active.accepting = false;
    this.unsubscribe.splice(0).forEach(stop => stop());
    this.timers.forEach(t => clearInterval(t));
    for (const a of this.active.values())
      a.abort.abort(new LostClaimError('worker stopped'));
    const deadline = Date.now() + STOP_GRACE_MS;
    while (this.active.size > 0 && Date.now() < deadline) await sleep(20);
    await this.pump.drain();
    await this.logs.flush();
    await this.options.store
      .unregisterWorker(this.options.workerId)
      .catch(e => this.logger.warn(`Could not unregister: ${e}`));
  }

  /**
   * Aborts this worker's targets of a cancelled run at once (the broker
   * calls it on every replica; without one, the heartbeat notices).
   */
  abortRun(runId: string) {
    for (const entry of this.active.values()) {
      if (entry.claim.runId === runId) {
        entry.cancelled = true;
        entry.abort.abort(new CancelledError('Run cancelled'));
      }
    }
  }

  /** Claims at once instead of at the next poll (a run was created or approved). */
  wake() {
    if (this.stopped) return;
    this.pump.wantClaim();
  }

  /**
   * The heartbeat: registers the worker (learning how many share the
   * runs), renews its claims, and aborts targets whose claim was taken
   * over or whose run was cancelled.
   */
  private async beat() {
    const { store, workerId } = this.options;
    this.pump.workers = await store.registerWorker(
      workerId,
      this.active.freeSlots(),
      this.staleAfterMs,
    );
    const entries = [...this.active.values()];
    if (entries.length === 0) return;
    const held = await store.heartbeat([
      ...new Set(entries.map(e => e.claim.claimId)),
    ]);
    const cancelled = await store.cancelledRuns([
      ...new Set(entries.map(e => e.claim.runId)),
    ]);
    for (const entry of entries) {
      if (entry.releasing) continue;
      if (!held.has(entry.claim.claimId)) {
        entry.abort.abort(new LostClaimError('claim lost'));
      } else if (cancelled.has(entry.claim.runId)) {
        entry.cancelled = true;
        entry.abort.abort(new CancelledError('Run cancelled'));
      }
    }
  }

  /** Holds a claimed target and runs it; its slot is freed when it ends. */
  private execute(claim: ClaimedTarget) {
    const entry = this.active.add(claim);
    this.options.broker?.publish({
      type: 'target',
      runId: claim.runId,
      targetId: claim.targetId,
      status: 'running',
    });
    const stream = this.logs.open(claim.targetId);
    this.targets
      .run(entry)
      .catch(async e => {
        // the run's own secret parameters too, when it could be read
        const redactor = await this.definitions.knownRedactor(claim.runId);
        this.logger.error(
          `Runbook target ${claim.targetId} crashed: ${redactor.redact(
            describeError(e),
          )}`,
        );
      })
      .finally(() => {
        this.logs.close(claim.targetId, stream);
        // a target that ended through the pump already passed its slot on
        if (this.active.holds(entry)) {
          this.active.release(entry);
          this.wake();
        }
      });
  }
}
