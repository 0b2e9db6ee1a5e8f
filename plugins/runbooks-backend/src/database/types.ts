import { Entity } from '@backstage/catalog-model';
import {
  RunbookEntityV1alpha1,
  RunStatus,
  StepStatus,
  TargetRun,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';

/** A run to write. */
export interface NewRun {
  runbookRef: string;
  runbook: unknown;
  parameters: Record<string, unknown>;
  requestedBy: string;
  dryRun: boolean;
  concurrency: number;
  retryOf?: string;
  schedule?: string;
  /** A warning for the run's own log, written with the run (e.g. targets a schedule left out). */
  note?: string;
  targets: { entityRef: string; entity: Entity; needsApproval: boolean }[];
  /** The runbook's files, pinned for the whole run. */
  definition?: {
    digest: string;
    commit?: string;
    source: string;
    files: Map<string, Buffer>;
  };
}

/** A step's result as stored in its target's row. */
export interface StoredStep {
  id: string;
  status: StepStatus;
  attempts: number;
  startedAt?: number;
  finishedAt?: number;
  output?: unknown;
  error?: string;
  /**
   * What the attempt's executor checkpointed (`ctx.checkpoint`), by key,
   * redacted: a takeover resumes the attempt with them.
   */
  checkpoints?: Record<string, unknown>;
}

/** A target a worker holds; every write about it is conditional on `claimId`. */
export interface ClaimedTarget {
  targetId: string;
  runId: string;
  claimId: string;
  entityRef: string;
  entity: Entity;
  claims: number;
  /** The run's concurrency limit, over all workers. */
  concurrency: number;
  dryRun: boolean;
  requestedBy: string;
  /** Results of earlier claims (by step position): completed steps do not run again. */
  steps: (StoredStep | null)[];
}

/** A log line to store (already redacted). */
export interface NewLogLine {
  runId: string;
  targetId?: string;
  stepId?: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  createdAt?: number;
}

/**
 * What a worker records about a target it holds: its step results so far
 * (all of them, by position), its terminal state, or both (the last step),
 * with the log lines gathered since its last write. Without steps and finish
 * it only renews the claim's heartbeat.
 */
export interface Completion {
  claim: { runId: string; targetId: string; claimId: string };
  steps?: (StoredStep | null)[];
  finish?: { status: TargetStatus; error?: string };
  logs: NewLogLine[];
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
  handOff?: HandOff[];
  /** Also claim from any running run, oldest first (locks and counts). */
  search?: boolean;
}

/** A run whose freed slots a commit passes to its next pending targets. */
export interface HandOff {
  runId: string;
  max: number;
  concurrency: number;
  dryRun: boolean;
  requestedBy: string;
}

/** What a commit did. */
export interface CommitResult {
  /** `held[i]` is false when completion i's claim was lost (nothing of it was written). */
  held: boolean[];
  claimed: ClaimedTarget[];
  /** The runs that ended with this commit, and how. */
  runStatuses: Map<string, RunStatus>;
  /**
   * Why the search for more work failed after the writes committed: the
   * writes hold, the worker's next poll searches again.
   */
  searchError?: unknown;
  /**
   * The search came up short while another worker was claiming from a run
   * it skipped: look again once that claim is done, not at the next poll.
   */
  contended?: boolean;
}

/** Filters and page of the runs list. */
export interface ListRunsOptions {
  runbookRefs?: string[];
  entityRef?: string;
  requestedBy?: string;
  status?: string;
  limit: number;
  /** `nextCursor` of the previous page; anything else is an InputError. */
  cursor?: string;
}

/** The runbook and parameters of a run, as stored when it started. */
export interface RunDefinition {
  runbook: RunbookEntityV1alpha1;
  parameters: Record<string, unknown>;
  /** The digest of the runbook's files as the run pinned them (runs from before pinning have none). */
  digest?: string;
}

/** Targets of a run whose status changed, oldest change first. */
export interface TargetChanges {
  items: Omit<TargetRun, 'steps'>[];
  /**
   * The newest change returned (the database's clock, epoch ms), or `since`
   * when there was none. See `RunStore.listTargetChanges` for how to pass
   * it back.
   */
  cursor: number;
  /** The page was full: ask again at once from `cursor`. */
  more: boolean;
}
