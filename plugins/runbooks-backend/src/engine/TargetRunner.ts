import { LoggerService } from '@backstage/backend-plugin-api';
import { TargetStatus } from '@fleetdeck/plugin-runbooks-common';
import { Completion, NewLogLine } from '../database/types';
import { messageOf } from '../lib/errors';
import { TrustPolicy } from '../trust/TrustPolicy';
import { ActiveTarget, LostClaimError, StepFailedError } from './ActiveTargets';
import { LogBuffer } from './LogBuffer';
import { LoadedDefinition, RunDefinitions } from './RunDefinitions';
import { StepRunner, TargetLog } from './StepRunner';

/**
 * Runs one claimed target: checks it may run (the run's parameters, the
 * runbook's and the target's trust), runs its steps in order, skipping
 * those an earlier claim recorded as succeeded (crash recovery resumes
 * after the last recorded step), and records how it ended. A lost claim
 * writes nothing: another worker owns the target.
 */
export class TargetRunner {
  constructor(
    private readonly deps: {
      workerId: string;
      logger: LoggerService;
      definitions: RunDefinitions;
      logs: LogBuffer;
      steps: StepRunner;
      trust?: TrustPolicy;
      record(entry: ActiveTarget, completion: Completion): Promise<boolean>;
      /** The worker is stopping: giving targets up is expected, not worth a warning. */
      stopping(): boolean;
    },
  ) {}

  async run(entry: ActiveTarget) {
    const { claim } = entry;
    let def: LoadedDefinition;
    try {
      // this target's own copy: secrets its steps come upon (`ctx.redact`)
      // extend its redactor only
      def = { ...(await this.deps.definitions.get(claim.runId)) };
    } catch (e) {
      // the run row is unreadable now: leave the claim to go stale and retry
      throw new Error(`cannot read run ${claim.runId}: ${e}`);
    }
    const log: TargetLog = (level, message, stepId) =>
      this.deps.logs.log(
        {
          runId: claim.runId,
          targetId: claim.targetId,
          stepId,
          level,
          message,
        } satisfies NewLogLine,
        def.redactor,
      );
    let finish: { status: TargetStatus; error: string };
    try {
      await this.runSteps(entry, def, log);
      // the last step's completion ended the target
      return;
    } catch (e) {
      const ended = this.ended(entry, def, e);
      if (!ended) return;
      finish = ended;
    }
    await this.deps
      .record(entry, {
        claim,
        finish,
        logs: this.deps.logs.take(claim.targetId),
      })
      .catch(e => {
        if (!(e instanceof LostClaimError)) throw e;
      });
  }

  private async runSteps(
    entry: ActiveTarget,
    def: LoadedDefinition,
    log: TargetLog,
  ) {
    const { claim } = entry;
    if (def.problem) throw new StepFailedError(def.problem);
    const targetTrust = this.deps.trust?.target(claim.entity);
    if (targetTrust && !targetTrust.trusted) {
      throw new StepFailedError(targetTrust.reason);
    }
    if (claim.claims > 1) {
      log('info', `Resuming on ${this.deps.workerId} (claim ${claim.claims})`);
    }
    const stepsContext: Record<string, { output?: unknown }> = {};
    const steps = def.runbook.spec.steps;
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index];
      const previous = entry.steps[index];
      if (previous?.status === 'succeeded') {
        stepsContext[step.id] = { output: previous.output };
        continue;
      }
      stepsContext[step.id] = await this.deps.steps.run({
        entry,
        def,
        index,
        log,
        context: {
          target: claim.entity,
          parameters: def.parameters,
          steps: stepsContext,
          run: {
            id: claim.runId,
            dryRun: claim.dryRun,
            requestedBy: claim.requestedBy,
          },
          secrets: def.secrets,
        },
      });
    }
  }

  /**
   * How a target that threw ends: cancelled or failed (with the redacted
   * error), or nothing to write when its claim was lost.
   */
  private ended(
    entry: ActiveTarget,
    def: LoadedDefinition,
    e: unknown,
  ): { status: TargetStatus; error: string } | undefined {
    const { claim, abort } = entry;
    const lost = abort.reason instanceof LostClaimError;
    if (e instanceof LostClaimError || lost) {
      // another worker owns the target now (or this one is stopping): write nothing
      if (!this.deps.stopping() && !lost) {
        this.deps.logger.warn(
          `Gave up runbook target ${claim.targetId}: ${def.redactor.redact(
            messageOf(e),
          )}`,
        );
      }
      return undefined;
    }
    if (entry.cancelled) return { status: 'cancelled', error: 'Run cancelled' };
    return { status: 'failed', error: def.redactor.redact(messageOf(e)) };
  }
}
