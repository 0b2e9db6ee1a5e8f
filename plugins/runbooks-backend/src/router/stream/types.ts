import {
  ListLogsResponse,
  RunLogLine,
  RunSummary,
  TargetRun,
} from '@fleetdeck/plugin-runbooks-common';

/** A target's state without its steps, as the stream sends it. */
export type TargetState = Omit<TargetRun, 'steps'>;

/**
 * Where a live stream reads a run from, after the caller was checked at
 * connect (the service's unchecked reads).
 */
export interface RunFeed {
  getRunSummary(runId: string): Promise<RunSummary>;
  logsSince(options: {
    runId: string;
    targetId?: string;
    after?: number;
    limit: number;
  }): Promise<ListLogsResponse>;
  /** Targets changed since an earlier `cursor` (some again), all without. */
  targetChangesSince(options: {
    runId: string;
    since?: number;
  }): Promise<{ items: TargetState[]; cursor: number }>;
}

/** One client of a run's stream. */
export interface RunStreamListener {
  /** Only lines of this target (the run's state and targets come whole). */
  readonly targetId?: string;
  /** New log lines of the run, in id order, after the client's cursor. */
  logs(lines: RunLogLine[]): void;
  /** A target whose state changed (all of them when the client joins). */
  target(target: TargetState): void;
  /** The run's state changed. */
  run(run: RunSummary): void;
  /** The run ended and everything it wrote was sent. */
  end(): void;
}

/** Timings of the shared reads. */
export interface RunStreamTimings {
  /** How long a burst of change events is gathered into one read (default 50 ms). */
  coalesceMs: number;
  /** How often a run with clients is read without events, for events missed (default 5 s). */
  fallbackPollMs: number;
  /** Log lines per read (default 1000). */
  pageSize: number;
}
