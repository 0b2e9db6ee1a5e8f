import { RunStatus, TargetStatus } from '@fleetdeck/plugin-runbooks-common';

/** Something about one run changed; readers fetch the new state from the store. */
export type RunChange =
  | {
      type: 'target';
      runId: string;
      targetId: string;
      status: TargetStatus;
    }
  /** New log lines of the run were stored (coalesced: at most 4 a second per run). */
  | { type: 'logs'; runId: string }
  /** The run's own row changed: created, approved, cancelled, finished. */
  | { type: 'run'; runId: string; status?: RunStatus };

/**
 * Where a listener's event comes from: this replica (`local`, delivered at
 * once) or another one (`remote`, through the events service). What only
 * one replica must do (a signal, a notification) listens to `local` only.
 */
export type ChangeOrigin = 'local' | 'remote';

/**
 * Who tells whom that runs changed. The service announces work (wake) and
 * cancellations (abort); workers announce what they did (publish,
 * finished); live streams and notifications listen. Every event reaches the
 * listeners of this replica at once and those of every other replica
 * through the events service. A listener that throws is logged; the others
 * still hear the event.
 */
export interface RunBroker {
  /** Runnable work appeared (a run created, targets approved or retried). */
  wake(): void;
  /** A run was cancelled: whichever replica runs its targets aborts them. */
  abort(runId: string): void;
  /** A worker or the service reports a change of one run. */
  publish(change: RunChange): void;
  /**
   * A run reached its end (reported once, by the replica that ended it).
   * Its subscribers also hear it as a `run` change with the status.
   */
  finished(runId: string, status: RunStatus): void;

  /** Listens to one run's changes; returns the function that stops it. */
  subscribe(
    runId: string,
    listener: (change: RunChange, origin: ChangeOrigin) => void,
  ): () => void;
  /** Listens to the changes of every run (finished runs as `run` changes). */
  onChange(
    listener: (change: RunChange, origin: ChangeOrigin) => void,
  ): () => void;
  onWake(listener: () => void): () => void;
  onAbort(listener: (runId: string) => void): () => void;
  onRunFinished(
    listener: (runId: string, status: RunStatus, origin: ChangeOrigin) => void,
  ): () => void;
}
