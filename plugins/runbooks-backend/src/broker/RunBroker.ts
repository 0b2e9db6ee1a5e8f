import { RunStatus, TargetStatus } from '@fleetdeck/plugin-runbooks-common';

/** Something about one run changed; readers fetch the new state from the store. */
export type RunChange =
  | {
      type: 'target';
      runId: string;
      targetId: string;
      status: TargetStatus;
    }
  /** New log lines of the run were stored (coalesced: at most a few per second). */
  | { type: 'logs'; runId: string }
  /** The run's own row changed: created, approved, cancelled, finished. */
  | { type: 'run'; runId: string; status?: RunStatus };

/**
 * Who tells whom that runs changed. The service announces work (wake) and
 * cancellations (abort); workers announce what they did (publish,
 * finished); live streams and notifications listen. It reaches every
 * replica through the events service, and the local replica at once.
 */
export interface RunBroker {
  /** Runnable work appeared (a run created, targets approved or retried). */
  wake(): void;
  /** A run was cancelled: whichever replica runs its targets aborts them. */
  abort(runId: string): void;
  /** A worker or the service reports a change of one run. */
  publish(change: RunChange): void;
  /** A run reached its end (reported once, by the replica that ended it). */
  finished(runId: string, status: RunStatus): void;

  /** Listens to one run's changes; returns the function that stops it. */
  subscribe(runId: string, listener: (change: RunChange) => void): () => void;
  onWake(listener: () => void): () => void;
  onAbort(listener: (runId: string) => void): () => void;
  onRunFinished(
    listener: (runId: string, status: RunStatus) => void,
  ): () => void;
}
