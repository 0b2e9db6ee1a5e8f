import {
  FleetMaintenanceResponse,
  ListLogsResponse,
  ListRunsResponse,
  ListTargetsResponse,
  RunbookEntityV1alpha1,
  RunbookSummary,
  RunbookTrust,
  RunSummary,
  TargetRun,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import { ParameterValidator } from './ParameterValidator';
import { RunAuditor } from './RunAuditor';
import { RunAuthorizer } from './RunAuthorizer';
import { RunbookCatalog } from './RunbookCatalog';
import { RunDecisions } from './RunDecisions';
import { ListRunsOptions, RunQueries, TargetChange } from './RunQueries';
import { RunStarter } from './RunStarter';
import { TargetResolver } from './TargetResolver';
import { Caller, RunbooksServiceDeps, StartRunOptions } from './types';

export type { Caller, RunbooksServiceDeps, StartRunOptions } from './types';
export type { ListRunsOptions, TargetChange } from './RunQueries';
export { toRunbookSummary } from './mappers';
export { entityOwners } from './scheduleOwner';

/**
 * The runbooks engine's use cases, shared by the HTTP API, the scaffolder
 * action, the actions registry and the scheduler. Every check happens in
 * the use-case classes this hands each call to: {@link RunbookCatalog},
 * {@link RunStarter}, {@link RunDecisions} and {@link RunQueries}.
 */
export class RunbooksService {
  private readonly runbooks: RunbookCatalog;
  private readonly starter: RunStarter;
  private readonly decisions: RunDecisions;
  private readonly queries: RunQueries;

  constructor(deps: RunbooksServiceDeps) {
    const authorizer = new RunAuthorizer(deps);
    const auditor = new RunAuditor({
      auditor: deps.auditor,
      // what a request named (targets) and an error quoted may hold a secret
      secretValues: () => deps.secrets?.values() ?? [],
    });
    this.runbooks = new RunbookCatalog(deps);
    this.queries = new RunQueries({ store: deps.store, authorizer });
    this.starter = new RunStarter({
      ...deps,
      runbooks: this.runbooks,
      targets: new TargetResolver(deps),
      parameters: new ParameterValidator(),
      authorizer,
      auditor,
    });
    this.decisions = new RunDecisions({
      ...deps,
      queries: this.queries,
      starter: this.starter,
      authorizer,
      auditor,
    });
  }

  getRunbook(ref: string, caller: Caller): Promise<RunbookEntityV1alpha1> {
    return this.runbooks.getRunbook(ref, caller);
  }

  listRunbooks(
    options: { entityRef?: string },
    caller: Caller,
  ): Promise<RunbookSummary[]> {
    return this.runbooks.listRunbooks(options, caller);
  }

  targetTrust(entityRef: string, caller: Caller): Promise<RunbookTrust> {
    return this.runbooks.targetTrust(entityRef, caller);
  }

  runbookTrust(runbook: RunbookEntityV1alpha1): RunbookTrust {
    return this.runbooks.runbookTrust(runbook);
  }

  startRun(request: StartRunOptions, caller: Caller): Promise<RunSummary> {
    return this.starter.startRun(request, caller);
  }

  startScheduledRun(
    runbook: RunbookEntityV1alpha1,
    caller: Caller,
  ): Promise<RunSummary> {
    return this.starter.startScheduledRun(runbook, caller);
  }

  decide(
    runId: string,
    options: { approve: boolean; targetIds?: string[]; comment?: string },
    caller: Caller,
  ): Promise<RunSummary> {
    return this.decisions.decide(runId, options, caller);
  }

  cancel(runId: string, caller: Caller): Promise<RunSummary> {
    return this.decisions.cancel(runId, caller);
  }

  retryFailed(runId: string, caller: Caller): Promise<RunSummary> {
    return this.decisions.retryFailed(runId, caller);
  }

  /** A run, unchecked: for the plugin itself (notifications, streams). */
  getRunSummary(runId: string): Promise<RunSummary> {
    return this.queries.getRunSummary(runId);
  }

  getRun(runId: string, caller: Caller): Promise<RunSummary> {
    return this.queries.getRun(runId, caller);
  }

  listRuns(
    options: ListRunsOptions,
    caller: Caller,
  ): Promise<ListRunsResponse> {
    return this.queries.listRuns(options, caller);
  }

  /** Per runbook type the last success, per entity the latest TLS check (see RunQueries). */
  fleetMaintenance(
    options: { kind?: string },
    caller: Caller,
  ): Promise<FleetMaintenanceResponse> {
    return this.queries.fleetMaintenance(options, caller);
  }

  listTargets(
    options: {
      runId: string;
      status?: TargetStatus[];
      offset: number;
      limit: number;
    },
    caller: Caller,
  ): Promise<ListTargetsResponse> {
    return this.queries.listTargets(options, caller);
  }

  getTarget(
    runId: string,
    targetId: string,
    caller: Caller,
  ): Promise<TargetRun> {
    return this.queries.getTarget(runId, targetId, caller);
  }

  listLogs(
    options: {
      runId: string;
      targetId?: string | null;
      after?: number;
      limit: number;
    },
    caller: Caller,
  ): Promise<ListLogsResponse> {
    return this.queries.listLogs(options, caller);
  }

  /** Log lines after `after`, unchecked: for a live stream, checked at connect. */
  logsSince(options: {
    runId: string;
    targetId?: string;
    after?: number;
    limit: number;
  }): Promise<ListLogsResponse> {
    return this.queries.logsSince(options);
  }

  /** Targets changed since a cursor (all without), unchecked: for live streams. */
  targetChangesSince(options: {
    runId: string;
    since?: number;
  }): Promise<{ items: TargetChange[]; cursor: number }> {
    return this.queries.targetChangesSince(options);
  }
}
