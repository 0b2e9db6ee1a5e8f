import { Entity } from '@backstage/catalog-model';

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
  targets: { entityRef: string; entity: Entity; needsApproval: boolean }[];
}

/** A target a worker holds; every write about it is conditional on `claimId`. */
export interface ClaimedTarget {
  targetId: string;
  runId: string;
  claimId: string;
  entityRef: string;
  entity: Entity;
  claims: number;
  dryRun: boolean;
  requestedBy: string;
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
