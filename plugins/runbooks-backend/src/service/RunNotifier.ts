import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  RunSignal,
  runSignalChannel,
  RunStatus,
  RunSummary,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';

/** Signals for live pages, notifications for people; failures here never fail a run. */
export class RunNotifier {
  constructor(
    private readonly deps: {
      logger: LoggerService;
      signals?: SignalsService;
      notifications?: NotificationService;
    },
  ) {}

  private signal(message: RunSignal) {
    this.deps.signals
      ?.publish({
        recipients: { type: 'broadcast' },
        channel: runSignalChannel(message.runId),
        message: message as any,
      })
      .catch(e => this.deps.logger.debug(`Signal failed: ${e}`));
  }

  targetChanged(runId: string, targetId: string, status: TargetStatus) {
    this.signal({ type: 'target', runId, targetId, status });
  }

  runChanged(runId: string, status: RunStatus) {
    this.signal({ type: 'run', runId, status });
  }

  private async notify(entityRef: string, payload: any) {
    if (!entityRef.startsWith('user:')) return;
    try {
      await this.deps.notifications?.send({
        recipients: { type: 'entity', entityRef },
        payload,
      });
    } catch (e) {
      this.deps.logger.warn(`Could not send notification: ${e}`);
    }
  }

  /** Tells the requester when a run ends with failures. */
  async runFinished(run: RunSummary) {
    this.runChanged(run.id, run.status);
    if (run.status !== 'failed') return;
    const failed = run.counts.failed + run.counts.rejected;
    await this.notify(run.requestedBy, {
      title: `Runbook run failed on ${failed} of ${run.total} targets`,
      description: `${run.runbookTitle ?? run.runbookRef}${
        run.dryRun ? ' (dry run)' : ''
      }`,
      link: `/runbooks/runs/${run.id}`,
      severity: 'high',
      topic: `runbooks:${run.runbookRef}`,
    });
  }

  /** Tells the approver groups that targets wait for them. */
  async approvalNeeded(run: RunSummary) {
    for (const group of run.approvers ?? []) {
      try {
        await this.deps.notifications?.send({
          recipients: { type: 'entity', entityRef: group },
          payload: {
            title: `Approval needed: ${run.runbookTitle ?? run.runbookRef}`,
            description: `${run.counts.awaiting_approval} target(s) requested by ${run.requestedBy}`,
            link: `/runbooks/runs/${run.id}`,
            severity: 'normal',
            topic: `runbooks:${run.runbookRef}`,
          },
        });
      } catch (e) {
        this.deps.logger.warn(`Could not send notification: ${e}`);
      }
    }
  }
}
