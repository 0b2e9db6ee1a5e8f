import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import {
  entityMatchesFilter,
  RunbookEntityV1alpha1,
  runbooksRunPermission,
  RunSummary,
  scheduleRequester,
} from '@fleetdeck/plugin-runbooks-common';
import { actorRef } from '@fleetdeck/fleetdeck-node';
import { ParameterVault } from '../engine/secrets';
import { ownerRef } from '@fleetdeck/plugin-fleet-common';
import { maskedSummary } from './mappers';
import { ParameterValidator } from './ParameterValidator';
import { nameSome, RunAuthorizer } from './RunAuthorizer';
import { RunAuditor } from './RunAuditor';
import { RunbookCatalog } from './RunbookCatalog';
import { splitByOwner } from './scheduleOwner';
import { assertWithinFilter, TargetResolver } from './TargetResolver';
import { Caller, RunbooksServiceDeps, StartRunOptions } from './types';

/** A checked run, ready to store. */
interface CheckedRun {
  runbook: RunbookEntityV1alpha1;
  targets: Entity[];
  parameters: Record<string, unknown>;
  requestedBy: string;
  dryRun: boolean;
  retryOf?: string;
  schedule?: string;
  /** A warning for the run's own log (targets left out). */
  note?: string;
}

/**
 * Starting runs, by a caller or by a schedule. A start goes one way:
 * checks (runbook, parameters, targets, permissions), then the store writes
 * the run and reads it back once, then the workers are woken.
 */
export class RunStarter {
  constructor(
    private readonly deps: Pick<
      RunbooksServiceDeps,
      'store' | 'notifier' | 'broker' | 'vault' | 'snapshots' | 'logger'
    > & {
      runbooks: RunbookCatalog;
      targets: TargetResolver;
      parameters: ParameterValidator;
      authorizer: RunAuthorizer;
      auditor: RunAuditor;
    },
  ) {}

  /** Validates everything, checks `runbooks.run` per target, then writes the run. */
  async startRun(
    request: StartRunOptions,
    caller: Caller,
  ): Promise<RunSummary> {
    const runbook = await this.deps.runbooks.getRunbook(
      request.runbookRef,
      caller,
    );
    const runbookRef = stringifyEntityRef(runbook);
    const actor = actorRef(caller.credentials);
    return this.deps.auditor.audited(
      {
        eventId: 'run-start',
        request: caller.request,
        severityLevel: request.dryRun ? 'low' : 'medium',
        meta: {
          actor,
          runbookRef,
          dryRun: Boolean(request.dryRun),
          targets: request.targets?.slice(0, 100) ?? 'all matching',
          ...(request.retryOf ? { retryOf: request.retryOf } : {}),
        },
      },
      async outcome => {
        this.deps.runbooks.assertRunnable(runbook);
        const parameters = this.deps.parameters.validate(runbook, request);
        const resolved = await this.deps.targets.resolve(
          runbook,
          request.targets,
          caller,
        );
        const { targets, note } = this.deps.targets.trusted(
          resolved,
          Boolean(request.targets),
          outcome,
        );
        const denied = await this.deps.authorizer.denied(
          runbooksRunPermission,
          targets.map(t => stringifyEntityRef(t)),
          caller,
        );
        if (denied.length) {
          throw new NotAllowedError(
            `You may not run ${runbookRef} on ${nameSome(denied)}`,
          );
        }
        const run = await this.write({
          runbook,
          targets,
          parameters,
          requestedBy: actor,
          dryRun: Boolean(request.dryRun),
          retryOf: request.retryOf,
          note,
        });
        Object.assign(outcome, { runId: run.id, targetCount: targets.length });
        return run;
      },
    );
  }

  /**
   * Starts the run a runbook's schedule is due for. A schedule acts for the
   * runbook's owner (`spec.owner`): of the entities its filter matches, the
   * run gets those that group owns (see `splitByOwner`). The others are left
   * out and named in the backend log, the audit event and the run's log;
   * when none is left, no run is created and the audit event fails. Audit
   * events and the run name the schedule as the requester. `caller` is the
   * plugin's own service credentials, used to read the catalog only.
   */
  async startScheduledRun(
    runbook: RunbookEntityV1alpha1,
    caller: Caller,
  ): Promise<RunSummary> {
    const schedule = runbook.spec.schedule;
    const runbookRef = stringifyEntityRef(runbook);
    if (!schedule)
      throw new InputError(`Runbook ${runbookRef} has no schedule`);
    return this.deps.auditor.audited(
      {
        eventId: 'run-start',
        request: caller.request,
        severityLevel: schedule.dryRun ? 'low' : 'medium',
        meta: {
          actor: scheduleRequester(runbookRef),
          runbookRef,
          dryRun: Boolean(schedule.dryRun),
          targets: 'all matching the schedule and owned by the runbook owner',
          schedule: schedule.cron,
          onBehalfOf: runbook.spec.owner,
        },
      },
      async outcome => {
        this.deps.runbooks.assertRunnable(runbook);
        const parameters = this.deps.parameters.validate(runbook, {
          parameters: schedule.parameters,
          dryRun: schedule.dryRun,
        });
        const { targets, note } = await this.scheduledTargets(
          runbook,
          caller,
          outcome,
        );
        const run = await this.write({
          runbook,
          targets,
          parameters,
          requestedBy: scheduleRequester(runbookRef),
          dryRun: Boolean(schedule.dryRun),
          schedule: schedule.cron,
          note,
        });
        Object.assign(outcome, { runId: run.id, targetCount: targets.length });
        return run;
      },
    );
  }

  /** The targets of a scheduled run: matching, trusted and owned by the runbook's owner. */
  private async scheduledTargets(
    runbook: RunbookEntityV1alpha1,
    caller: Caller,
    outcome: JsonObject,
  ): Promise<{ targets: Entity[]; note?: string }> {
    const runbookRef = stringifyEntityRef(runbook);
    const owner = ownerRef(
      runbook.spec.owner,
      runbook.metadata.namespace ?? 'default',
    );
    outcome.onBehalfOf = owner;
    const found = await this.deps.targets.resolve(
      runbook,
      undefined,
      caller,
      runbook.spec.schedule?.targets,
    );
    assertWithinFilter(runbook, found);
    const trusted = this.deps.targets.trusted(found, false, outcome);
    const matched = trusted.targets;
    const { owned, skipped } = splitByOwner(matched, owner);
    let note = trusted.note;
    if (skipped.length) {
      Object.assign(outcome, {
        skippedTargets: skipped.slice(0, 20),
        skippedCount: skipped.length,
      });
      note = `${
        note ? `${note}\n` : ''
      }The schedule acts for ${owner} and leaves out ${skipped.length} of ${
        matched.length
      } matching targets owned by others: ${nameSome(skipped)}`;
      this.deps.logger.warn(`Schedule of ${runbookRef}: ${note}`);
    }
    if (owned.length === 0) {
      throw new NotAllowedError(
        `No target of the schedule is owned by ${owner} (the owner of ${runbookRef}); ${
          matched.length
        } matching targets are owned by others: ${nameSome(skipped)}`,
      );
    }
    return { targets: owned, note };
  }

  /**
   * Stores a checked run (its files pinned, its secrets sealed), wakes the
   * workers and asks the approvers when targets wait for them.
   */
  private async write(run: CheckedRun): Promise<RunSummary> {
    const { runbook } = run;
    const approval = runbook.spec.approval;
    // what the run executes, read once: a push during the run changes nothing
    const definition = await this.deps.snapshots?.snapshot(runbook);
    const parameters = (this.deps.vault ?? new ParameterVault()).seal(
      runbook.spec.parameters,
      run.parameters,
    );
    const runId = await this.deps.store.createRun({
      runbookRef: stringifyEntityRef(runbook),
      runbook,
      parameters,
      requestedBy: run.requestedBy,
      dryRun: run.dryRun,
      concurrency: runbook.spec.concurrency ?? 5,
      retryOf: run.retryOf,
      schedule: run.schedule,
      note: run.note,
      definition,
      targets: run.targets.map(entity => ({
        entityRef: stringifyEntityRef(entity),
        entity,
        // a dry run changes nothing, so it never waits for approval
        needsApproval:
          !run.dryRun &&
          !!approval &&
          entityMatchesFilter(entity, approval.when),
      })),
    });
    this.deps.broker.wake();
    const summary = maskedSummary(
      await this.deps.store.getRunSummary(runId),
      runbook.spec.parameters,
    );
    if (summary.counts.awaiting_approval > 0) {
      await this.deps.notifier.approvalNeeded(summary);
    }
    return summary;
  }
}
