import { ConflictError } from '@backstage/errors';
import { RunSummary } from '@fleetdeck/plugin-runbooks-common';
import { JsonObject } from '@backstage/types';
import { actorRef } from '@fleetdeck/fleetdeck-node';
import { ParameterVault } from '../engine/secrets';
import { RunAuthorizer } from './RunAuthorizer';
import { AuditedCall, RunAuditor } from './RunAuditor';
import { RunQueries } from './RunQueries';
import { RunStarter } from './RunStarter';
import { Caller, RunbooksServiceDeps } from './types';

/** Targets one decision lists at most (a run holds up to 10,000). */
const MAX_DECIDED = 100_000;

/** What people do to runs once started: approve, reject, cancel, retry. */
export class RunDecisions {
  constructor(
    private readonly deps: Pick<
      RunbooksServiceDeps,
      'store' | 'broker' | 'vault'
    > & {
      queries: RunQueries;
      starter: RunStarter;
      authorizer: RunAuthorizer;
      auditor: RunAuditor;
    },
  ) {}

  /** Approve or reject waiting targets: approver group members only, never the requester. */
  async decide(
    runId: string,
    options: { approve: boolean; targetIds?: string[]; comment?: string },
    caller: Caller,
  ): Promise<RunSummary> {
    const { store, broker, authorizer } = this.deps;
    const run = await this.deps.queries.getRunSummary(runId);
    const actor = actorRef(caller.credentials);
    await this.auditedOnRun(
      {
        eventId: options.approve ? 'run-approve' : 'run-reject',
        run,
        caller,
        severityLevel: 'high',
        meta: { targetIds: options.targetIds ?? 'all waiting' },
      },
      async outcome => {
        await authorizer.assertCanDecide(run, caller);
        const { items } = await store.listTargets({
          runId,
          status: ['awaiting_approval'],
          targetIds: options.targetIds,
          offset: 0,
          limit: MAX_DECIDED,
        });
        if (items.length === 0)
          throw new ConflictError('No target of this run waits for approval');
        await authorizer.assertCanApproveOn(
          items.map(t => t.entityRef),
          caller,
        );
        const decided = await store.decide({
          runId,
          targetIds: items.map(t => t.id),
          approve: options.approve,
          by: actor,
          comment: options.comment,
        });
        if (options.approve) broker.wake();
        broker.publish({ type: 'run', runId });
        outcome.targets = items
          .filter(t => decided.includes(t.id))
          .map(t => t.entityRef)
          .slice(0, 100);
      },
    );
    const summary = await this.deps.queries.getRunSummary(runId);
    // rejecting the last waiting targets ends the run here, not in a worker
    if (summary.status === 'failed') broker.finished(runId, summary.status);
    return summary;
  }

  async cancel(runId: string, caller: Caller): Promise<RunSummary> {
    const run = await this.deps.queries.getRunSummary(runId);
    await this.auditedOnRun(
      { eventId: 'run-cancel', run, caller },
      async () => {
        await this.deps.authorizer.assertCanControl(run, caller);
        if (!(await this.deps.store.cancelRun(runId))) {
          throw new ConflictError(
            `Run ${runId} has already ended (${run.status})`,
          );
        }
        this.deps.broker.abort(runId);
        this.deps.broker.publish({ type: 'run', runId, status: 'cancelled' });
      },
    );
    return this.deps.queries.getRunSummary(runId);
  }

  /** A new run of the failed targets only, with the same parameters. */
  async retryFailed(runId: string, caller: Caller): Promise<RunSummary> {
    const run = await this.deps.queries.getRunSummary(runId);
    return this.auditedOnRun(
      { eventId: 'run-retry', run, caller },
      async outcome => {
        await this.deps.authorizer.assertCanControl(run, caller);
        if (run.status === 'running' || run.status === 'awaiting_approval') {
          throw new ConflictError(`Run ${runId} is still ${run.status}`);
        }
        const failed = await this.deps.store.failedTargets(runId);
        const stored = await this.deps.store.getRunDefinition(runId);
        // the new run stores them encrypted again, under a new nonce
        const parameters = (this.deps.vault ?? new ParameterVault()).open(
          stored.parameters,
        );
        const retry = await this.deps.starter.startRun(
          {
            runbookRef: run.runbookRef,
            targets: failed.map(f => f.entityRef),
            parameters,
            dryRun: run.dryRun,
            retryOf: runId,
          },
          caller,
        );
        Object.assign(outcome, {
          newRunId: retry.id,
          targets: failed.map(f => f.entityRef).slice(0, 100),
        });
        return retry;
      },
    );
  }

  /** One audit event about a run: names the actor, the run and its runbook. */
  private auditedOnRun<T>(
    call: {
      eventId: string;
      run: RunSummary;
      caller: Caller;
      severityLevel?: AuditedCall['severityLevel'];
      meta?: JsonObject;
    },
    fn: (outcome: JsonObject) => Promise<T>,
  ): Promise<T> {
    const { run, caller } = call;
    return this.deps.auditor.audited(
      {
        eventId: call.eventId,
        request: caller.request,
        severityLevel: call.severityLevel ?? 'medium',
        meta: {
          actor: actorRef(caller.credentials),
          runId: run.id,
          runbookRef: run.runbookRef,
          ...call.meta,
        },
      },
      fn,
    );
  }
}
