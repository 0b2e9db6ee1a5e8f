import { LoggerService } from '@backstage/backend-plugin-api';
import { RunBroker } from '../broker/RunBroker';
import { RunStore } from '../database/RunStore';
import {
  ClaimedTarget,
  CommitResult,
  Completion,
  HandOff,
} from '../database/types';
import { ActiveTarget, ActiveTargets, LostClaimError } from './ActiveTargets';
import { FULL_BUFFER, LogBuffer } from './LogBuffer';

/** A write about a target, waiting for its commit. */
interface QueuedWrite {
  completion: Completion;
  entry: ActiveTarget;
  resolve(held: boolean): void;
  reject(e: unknown): void;
}

/** The most writes one commit takes when commits go one at a time. */
const SERIAL_BATCH = 500;
/** How soon a claim that met another worker's claim looks again. */
const CONTENDED_RETRY_MS = 20;

/**
 * A worker's one way to the store (after Backstage's task broker, which
 * claims, hands over and wakes). Step results and target ends that arrive
 * in the same moment commit in one transaction, which also claims the next
 * targets for the slots they free (the hand-off) and, when asked, looks for
 * work in any run. Heartbeats and bulk log writes go through it too, so
 * nothing of one worker writes at the same time as its commit on SQLite.
 * On PostgreSQL more than one commit may be in flight when configured
 * (they touch disjoint rows: a target has one write queued at a time, and
 * claims skip locked rows).
 */
export class CommitPump {
  /** Live workers with room (this one included), as of the last heartbeat. */
  workers = 1;
  private queue: QueuedWrite[] = [];
  private claimWanted = false;
  private beatDue = false;
  private logsDue = false;
  private pumping?: Promise<void>;
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly deps: {
      store: Pick<RunStore, 'commit'>;
      /** Commits in flight at once (the store must allow as many). */
      parallelCommits: number;
      workerId: string;
      staleAfterMs: number;
      logger: LoggerService;
      active: ActiveTargets;
      logs: LogBuffer;
      broker?: RunBroker;
      /** Registers the worker and renews its claims (the heartbeat). */
      beat(): Promise<void>;
      /** Starts executing a target a commit claimed. */
      execute(claim: ClaimedTarget): void;
    },
  ) {}

  private get parallelCommits() {
    return this.deps.parallelCommits;
  }

  /**
   * Claims again shortly: another worker's claim (a short transaction) held
   * a run this one skipped.
   */
  private claimSoon() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.wantClaim();
    }, CONTENDED_RETRY_MS);
    this.retryTimer.unref?.();
  }

  /** Claims at the next pump (new work may be there). */
  wantClaim() {
    this.claimWanted = true;
    this.schedule();
  }

  /** Beats at the next pump. */
  wantBeat() {
    this.beatDue = true;
    this.schedule();
  }

  /** Stores the buffered log lines at the next pump. */
  wantLogs() {
    this.logsDue = true;
    this.schedule();
  }

  /**
   * Queues a write about a target this worker holds; resolves once it is
   * committed, to false when the claim was lost (nothing was written).
   */
  record(entry: ActiveTarget, completion: Completion): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ completion, entry, resolve, reject });
      this.schedule();
    }).catch(e => {
      // the store failed: give the target up; a replica re-claims it once its
      // heartbeat is stale and resumes after its last recorded step
      throw new LostClaimError(`could not record progress: ${e}`);
    });
  }

  /** Resolves once nothing is scheduled, pumping or committing. */
  async drain() {
    while (this.pumping || this.scheduled || this.inFlight.size) {
      await (this.pumping ??
        Promise.race([
          ...this.inFlight,
          new Promise(resolve => setTimeout(resolve, 5)),
        ]));
    }
  }

  /** Runs the pump after the current moment, so writes of this moment share it. */
  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.pumping) return; // the running pump picks the work up
      this.pumping = this.pump().finally(() => {
        this.pumping = undefined;
        // with every commit slot taken, the next commit to end reschedules
        const full = this.inFlight.size >= this.parallelCommits;
        if (this.hasWork() && !full) this.schedule();
      });
    });
  }

  private hasWork() {
    return (
      this.queue.length > 0 ||
      this.beatDue ||
      this.logsDue ||
      (this.claimWanted && this.deps.active.freeSlots() > 0)
    );
  }

  private async pump() {
    const { active } = this.deps;
    while (this.hasWork()) {
      if (this.beatDue) {
        this.beatDue = false;
        await this.deps
          .beat()
          .catch(e => this.deps.logger.warn(`Heartbeat failed: ${e}`));
      }
      if (this.logsDue || this.deps.logs.size >= FULL_BUFFER) {
        this.logsDue = false;
        await this.deps.logs.flush();
      }
      if (this.inFlight.size >= this.parallelCommits) {
        // a commit that ends schedules the pump again
        return;
      }
      // With two commits in flight, a wave goes out in halves: one half's
      // commit overlaps the other half's execution.
      const cap =
        this.parallelCommits > 1
          ? Math.ceil(active.maxParallel / this.parallelCommits)
          : SERIAL_BATCH;
      const batch = this.queue.splice(0, cap);
      const releasing = batch.filter(w => w.completion.finish);
      for (const w of releasing) w.entry.releasing = true;
      const free = active.freeSlots(releasing.length);
      const handOff = this.handOff(releasing);
      // look for work beyond the hand-off when asked to (new run, approval,
      // poll) or when the hand-off could not use every slot freed
      const search = free > 0 && this.claimWanted;
      if (batch.length === 0 && !search) continue;
      this.claimWanted = false;
      const commit: Promise<void> = this.commit(
        batch,
        releasing,
        free,
        handOff,
        search,
      ).finally(() => {
        this.inFlight.delete(commit);
        this.schedule();
      });
      this.inFlight.add(commit);
    }
  }

  private async commit(
    batch: QueuedWrite[],
    releasing: QueuedWrite[],
    free: number,
    handOff: HandOff[],
    search: boolean,
  ) {
    let result: CommitResult;
    try {
      result = await this.deps.store.commit(
        batch.map(w => w.completion),
        {
          workerId: this.deps.workerId,
          limit: Math.max(0, free),
          staleAfterMs: this.deps.staleAfterMs,
          workers: this.workers,
          handOff,
          search,
        },
      );
    } catch (e) {
      this.deps.logger.warn(`Writing runbook progress failed: ${e}`);
      for (const w of releasing) this.deps.active.release(w.entry);
      batch.forEach(w => w.reject(e));
      return;
    }
    if (result.searchError) {
      this.deps.logger.warn(
        `Looking for more runbook targets failed (progress was written; the next poll looks again): ${result.searchError}`,
      );
    }
    if (result.contended) this.claimSoon();
    const handedOff = result.claimed.length;
    if (releasing.length > handedOff || (search && handedOff === free)) {
      // slots left over (a run ran out, or a share shrank), or a full
      // claim that may have left more behind: look again
      this.claimWanted = true;
    }
    for (const w of releasing) this.deps.active.release(w.entry);
    batch.forEach((w, i) => w.resolve(result.held[i]));
    this.announce(batch, result);
    for (const claim of result.claimed) this.deps.execute(claim);
  }

  /** Tells the broker what the commit changed: log lines, target ends, run ends. */
  private announce(batch: QueuedWrite[], result: CommitResult) {
    const { broker } = this.deps;
    if (!broker) return;
    const logged = new Set<string>();
    batch.forEach((w, i) => {
      const { claim, finish, logs } = w.completion;
      if (!result.held[i]) return;
      if (logs.length > 0) logged.add(claim.runId);
      if (finish) {
        broker.publish({
          type: 'target',
          runId: claim.runId,
          targetId: claim.targetId,
          status: finish.status,
        });
      }
    });
    for (const runId of logged) broker.publish({ type: 'logs', runId });
    for (const [runId, status] of result.runStatuses) {
      broker.finished(runId, status);
    }
  }

  /**
   * Per run with targets ending in this batch: how many of the freed slots
   * this worker may pass on, keeping it within its share of the run's
   * concurrency (so other live workers get theirs).
   */
  private handOff(releasing: QueuedWrite[]): HandOff[] {
    const runs = new Map<string, ClaimedTarget>();
    for (const w of releasing) runs.set(w.entry.claim.runId, w.entry.claim);
    return [...runs.values()].map(claim => {
      const mine = this.deps.active.heldInRun(claim.runId);
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
}
