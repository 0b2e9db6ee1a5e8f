import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  RunSignal,
  runSignalChannel,
  RunStatus,
  RunSummary,
  scheduledRunbookRef,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import { Redactor, redactingLogger } from '@fleetdeck/fleetdeck-node';
import type { RunStore } from '../database/RunStore';
import { ownerRef } from '@fleetdeck/plugin-fleet-common';

/** What one notification says. */
type NotificationPayload = Parameters<
  NotificationService['send']
>[0]['payload'];

/** ` (cron)` of a scheduled run, for messages. */
const cron = (run: RunSummary) => (run.schedule ? ` (${run.schedule})` : '');

/** The longest failure reason a notification quotes. */
const MAX_REASON = 300;

/**
 * Signals for live pages, notifications for people; failures here never
 * fail a run. What a notification says, and what this logs, passes the
 * redactor of the configured secrets.
 */
export class RunNotifier {
  private readonly redactor: Redactor;
  private readonly logger: LoggerService;

  constructor(
    private readonly deps: {
      logger: LoggerService;
      signals?: SignalsService;
      notifications?: NotificationService;
      /**
       * Reads the runbook a run stored, whose owner a schedule acts for,
       * and (when it can list targets) the first failure to quote.
       */
      store: Pick<RunStore, 'getRunDefinition'> &
        Partial<Pick<RunStore, 'listTargets'>>;
      /** Redacts every configured secret. */
      redactor?: Redactor;
    },
  ) {
    this.redactor = deps.redactor ?? new Redactor();
    this.logger = redactingLogger(deps.logger, this.redactor);
  }

  /** Sends one notification, redacted; a failure is logged, never thrown. */
  private async send(entityRef: string, payload: NotificationPayload) {
    try {
      await this.deps.notifications?.send({
        recipients: { type: 'entity', entityRef },
        payload: this.redactor.redactJson(payload),
      });
    } catch (e) {
      this.logger.warn(`Could not send notification: ${e}`);
    }
  }

  private signal(message: RunSignal) {
    this.deps.signals
      ?.publish({
        recipients: { type: 'broadcast' },
        channel: runSignalChannel(message.runId),
        message: { ...message },
      })
      .catch(e => this.logger.debug(`Signal failed: ${e}`));
  }

  targetChanged(runId: string, targetId: string, status: TargetStatus) {
    this.signal({ type: 'target', runId, targetId, status });
  }

  runChanged(runId: string, status: RunStatus) {
    this.signal({ type: 'run', runId, status });
  }

  /**
   * The first failed target and its error, for a failure notification
   * (the worker redacted the error when it stored it).
   */
  private async firstFailure(runId: string): Promise<string | undefined> {
    try {
      const failed = await this.deps.store.listTargets?.({
        runId,
        status: ['failed'],
        offset: 0,
        limit: 1,
      });
      const target = failed?.items[0];
      if (!target) return undefined;
      const reason = `${target.entityRef}: ${target.error ?? 'failed'}`;
      return reason.length > MAX_REASON
        ? `${reason.slice(0, MAX_REASON - 1)}…`
        : reason;
    } catch (e) {
      this.logger.warn(`Could not read the failures of run ${runId}: ${e}`);
      return undefined;
    }
  }

  /**
   * The owner of the runbook as the run stored it (`spec.owner`, in full):
   * the group a schedule acts for.
   */
  private async runbookOwner(runId: string): Promise<string | undefined> {
    try {
      const { runbook } = await this.deps.store.getRunDefinition(runId);
      const owner = runbook?.spec?.owner;
      if (typeof owner !== 'string' || !owner) return undefined;
      return ownerRef(owner, runbook?.metadata?.namespace ?? 'default');
    } catch (e) {
      this.logger.warn(
        `Could not find the owner of run ${runId} to notify: ${e}`,
      );
      return undefined;
    }
  }

  /**
   * Tells who asked when a run ends with failures: the person who started
   * it, or for a scheduled run the runbook's owner group (the schedule acts
   * for it). Runs services started notify nobody.
   */
  async runFinished(run: RunSummary) {
    this.runChanged(run.id, run.status);
    if (run.status !== 'failed') return;
    const scheduled = scheduledRunbookRef(run.requestedBy) !== undefined;
    let recipient: string | undefined;
    if (run.requestedBy.startsWith('user:')) recipient = run.requestedBy;
    else if (scheduled) recipient = await this.runbookOwner(run.id);
    if (!recipient) return;
    const failed = run.counts.failed + run.counts.rejected;
    const title = run.runbookTitle ?? run.runbookRef;
    const reason = run.counts.failed
      ? await this.firstFailure(run.id)
      : undefined;
    await this.send(recipient, {
      title: scheduled
        ? `Scheduled run of ${title} failed on ${failed} of ${run.total} targets`
        : `Runbook run failed on ${failed} of ${run.total} targets`,
      description: `${title}${run.dryRun ? ' (dry run)' : ''}${
        scheduled ? ` · started by its schedule${cron(run)}` : ''
      }${reason ? ` · ${reason}` : ''}`,
      link: `/runbooks/runs/${run.id}`,
      severity: 'high',
      topic: `runbooks:${run.runbookRef}`,
    });
  }

  /** Tells the approver groups that targets wait for them. */
  async approvalNeeded(run: RunSummary) {
    const scheduled = scheduledRunbookRef(run.requestedBy) !== undefined;
    for (const group of run.approvers ?? []) {
      await this.send(group, {
        title: `Approval needed: ${scheduled ? 'scheduled run of ' : ''}${
          run.runbookTitle ?? run.runbookRef
        }`,
        description: `${run.counts.awaiting_approval} target(s) ${
          scheduled
            ? `started by its schedule${cron(run)}`
            : `requested by ${run.requestedBy}`
        }`,
        link: `/runbooks/runs/${run.id}`,
        severity: 'normal',
        topic: `runbooks:${run.runbookRef}`,
      });
    }
  }
}
