import { createApiRef } from '@backstage/core-plugin-api';
import {
  ApprovalRequest,
  FleetMaintenanceResponse,
  ListLogsResponse,
  ListRunbooksResponse,
  ListRunsResponse,
  ListTargetsResponse,
  RunStreamEvent,
  RunSummary,
  RunbookSummary,
  StartRunRequest,
  TargetRun,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';

export type {
  FleetCertificateCheck,
  FleetMaintenanceResponse,
} from '@fleetdeck/plugin-runbooks-common';

/** Filters of the recent-runs list. @public */
export interface ListRunsQuery {
  runbookRef?: string;
  entityRef?: string;
  requestedBy?: string;
  status?: 'running' | 'succeeded' | 'failed' | 'cancelled';
  limit?: number;
  cursor?: string;
}

/** The runbooks backend, as the portal talks to it. @public */
export interface RunbooksApi {
  listRunbooks(query?: { entityRef?: string }): Promise<ListRunbooksResponse>;
  getRunbook(runbookRef: string): Promise<RunbookSummary>;
  startRun(request: StartRunRequest): Promise<RunSummary>;
  listRuns(query?: ListRunsQuery): Promise<ListRunsResponse>;
  getRun(runId: string): Promise<RunSummary>;
  listTargets(
    runId: string,
    query?: { status?: TargetStatus[]; offset?: number; limit?: number },
  ): Promise<ListTargetsResponse>;
  getTarget(runId: string, targetId: string): Promise<TargetRun>;
  /**
   * A page of a run's log: every line, one target's (`targetId`), or the
   * run's own lines of no target (`scope: 'run'`).
   */
  listLogs(
    runId: string,
    query?: {
      targetId?: string;
      scope?: 'run';
      after?: number;
      limit?: number;
    },
  ): Promise<ListLogsResponse>;
  /**
   * Follows a run over server-sent events until it ends or `signal` aborts.
   * Resolves when the server closes the stream.
   */
  streamRun(
    runId: string,
    options: {
      targetId?: string;
      after?: number;
      signal: AbortSignal;
      onEvent: (event: RunStreamEvent) => void;
    },
  ): Promise<void>;
  /**
   * The fleet's maintenance at a glance (entities of `kind`, all without):
   * per runbook type and entity the last success, per entity the latest TLS
   * check, from the runs the caller may read.
   */
  getFleetMaintenance(query?: {
    kind?: string;
  }): Promise<FleetMaintenanceResponse>;
  approve(runId: string, request?: ApprovalRequest): Promise<RunSummary>;
  reject(runId: string, request?: ApprovalRequest): Promise<RunSummary>;
  cancel(runId: string): Promise<RunSummary>;
  retryFailed(runId: string): Promise<RunSummary>;
}

/** API ref of the {@link RunbooksApi}. @public */
export const runbooksApiRef = createApiRef<RunbooksApi>({
  id: 'plugin.runbooks.api',
});
