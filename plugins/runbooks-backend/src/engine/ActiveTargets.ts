import { ClaimedTarget, StoredStep } from '../database/types';

/** The claim of a target was lost (stale, taken over) or the worker stops: write nothing. */
export class LostClaimError extends Error {}
/** The target's run was cancelled. */
export class CancelledError extends Error {}
/** A step failed in a way retrying cannot help (no executor, untrusted, bad input). */
export class StepFailedError extends Error {}

/** Waits `ms`, or less when `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** A target this worker holds and executes. */
export interface ActiveTarget {
  claim: ClaimedTarget;
  controller: AbortController;
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
      controller: new AbortController(),
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
