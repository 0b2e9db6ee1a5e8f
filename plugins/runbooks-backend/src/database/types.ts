import { Entity } from '@backstage/catalog-model';
import { StepStatus, TargetStatus } from '@fleetdeck/plugin-runbooks-common';

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
