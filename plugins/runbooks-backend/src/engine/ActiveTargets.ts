import { ClaimedTarget, StoredStep } from '../database/types';

/** The claim of a target was lost (stale, taken over) or the worker stops: write nothing. */
export class LostClaimError extends Error {}
/** The target's run was cancelled. */
export class CancelledError extends Error {}
/** A step failed in a way retrying cannot help (no executor, untrusted, bad input). */
export class StepFailedError extends Error {}

/**
 * Why a target must stop (its run cancelled, its claim lost, the worker
 * stopping), and what to tell when it does. A worker holds thousands of
 * targets over a run: this costs a field and a set, where an
 * AbortController per target (Node's EventTarget) was a tenth of the
 * engine's CPU time with no-op steps. Each step attempt still hands its
 * executor a real AbortSignal (see StepRunner).
 */
export class TargetAbort {
  /** Set once, by the first abort. */
  reason?: Error;
  private readonly listeners = new Set<(reason: Error) => void>();

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  abort(reason: Error) {
    if (this.reason) return;
    this.reason = reason;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener(reason);
  }

  /** Calls `listener` on abort (now, when aborted already); returns its removal. */
  onAbort(listener: (reason: Error) => void): () => void {
    if (this.reason) {
      listener(this.reason);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Waits `ms`, or less when `abort` fires (at once when it has fired). */
export const sleep = (ms: number, abort?: TargetAbort) =>
  new Promise<void>(resolve => {
    const wait: { timer?: NodeJS.Timeout; forget?: () => void } = {};
    const done = () => {
      clearTimeout(wait.timer);
      wait.forget?.();
      resolve();
    };
    wait.timer = setTimeout(done, ms);
    wait.forget = abort?.onAbort(done);
  });

/** A target this worker holds and executes. */
export interface ActiveTarget {
  claim: ClaimedTarget;
  abort: TargetAbort;
  cancelled: boolean;
  /** Its end is being written: the slot goes to the next claimed target. */
  releasing: boolean;
  /** Step results by position, as recorded (a copy is written with each). */
  steps: (StoredStep | null)[];
}

/** Active targets are keyed by claim: a target lost and re-claimed is a new entry. */
const keyOf = (claim: { claimId: string; targetId: string }) =>
  `${claim.claimId}/${claim.targetId}`;

/**
 * The targets a worker holds, and the slots it has left: none while it is
 * not started or stopping.
 */
export class ActiveTargets {
  private readonly byKey = new Map<string, ActiveTarget>();
  /** The worker claims work (started, not stopping). */
  accepting = false;

  constructor(readonly maxParallel: number) {}

  get size(): number {
    return this.byKey.size;
  }

  values(): IterableIterator<ActiveTarget> {
    return this.byKey.values();
  }

  /** Holds a claimed target. */
  add(claim: ClaimedTarget): ActiveTarget {
    const entry: ActiveTarget = {
      claim,
      abort: new TargetAbort(),
      cancelled: false,
      releasing: false,
      steps: [...claim.steps],
    };
    this.byKey.set(keyOf(claim), entry);
    return entry;
  }

  /** Whether this entry (not a later claim of its target) is still held. */
  holds(entry: ActiveTarget): boolean {
    return this.byKey.get(keyOf(entry.claim)) === entry;
  }

  /** Lets go of the target this entry holds (or of its later claim: same key). */
  release(entry: ActiveTarget) {
    this.byKey.delete(keyOf(entry.claim));
  }

  /** Slots free, counting those of targets whose end is being written as free. */
  freeSlots(releasing = 0): number {
    if (!this.accepting) return 0;
    return this.maxParallel - (this.byKey.size - releasing);
  }

  /** Targets of the run this worker holds that are not ending. */
  heldInRun(runId: string): number {
    let held = 0;
    for (const a of this.byKey.values()) {
      if (a.claim.runId === runId && !a.releasing) held++;
    }
    return held;
  }
}
