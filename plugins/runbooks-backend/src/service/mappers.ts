import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  nextCronRunAt,
  RunbookEntityV1alpha1,
  RunbookSummary,
  RunbookTrust,
  RunSummary,
} from '@fleetdeck/plugin-runbooks-common';
import { approverRefs } from '../lib/ownerRef';
import { maskParameters } from '../engine/secrets';

/** Whether a stored parameter value is a sealed (encrypted) secret. */
function isSealed(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).$encrypted === 'string'
  );
}

/**
 * A run as the API shows it: secret parameters masked, those the runbook's
 * schema names (when given) and any value stored sealed.
 */
export function maskedSummary(
  summary: RunSummary,
  parameterSchema?: unknown,
): RunSummary {
  const masked = maskParameters(parameterSchema, summary.parameters ?? {});
  for (const [name, value] of Object.entries(masked)) {
    if (isSealed(value)) masked[name] = '***';
  }
  return { ...summary, parameters: masked };
}

/** The API view of a Runbook entity. */
export function toRunbookSummary(
  r: RunbookEntityV1alpha1,
  trust: RunbookTrust,
): RunbookSummary {
  return {
    entityRef: stringifyEntityRef(r),
    name: r.metadata.name,
    title: r.metadata.title,
    description: r.metadata.description,
    owner: r.spec.owner,
    targets: r.spec.targets,
    parameters: r.spec.parameters,
    steps: r.spec.steps.map(s => ({
      id: s.id,
      name: s.name,
      executor: s.executor,
    })),
    concurrency: r.spec.concurrency ?? 5,
    approval: r.spec.approval && {
      ...r.spec.approval,
      // full refs, as run summaries carry them (`sre` is group:<namespace>/sre)
      approvers:
        approverRefs(r.spec.approval.approvers, r.metadata.namespace) ?? [],
    },
    schedule: r.spec.schedule && {
      ...r.spec.schedule,
      nextRunAt: nextCronRunAt(r.spec.schedule.cron),
    },
    dryRunSupported: r.spec.dryRun !== false,
    trust,
  };
}
