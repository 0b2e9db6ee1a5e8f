import { Entity } from '@backstage/catalog-model';

/** A JSON object, as entity specs hold them. @public */
export type RunbookJsonObject = NonNullable<Entity['spec']>;
import { z } from 'zod';

/** API version of the Runbook kind. @public */
export const RUNBOOK_API_VERSION = 'fleetdeck.io/v1alpha1';
/** The Runbook kind. @public */
export const RUNBOOK_KIND = 'Runbook';

/**
 * A catalog filter over entity fields, e.g. `{ kind: 'Cluster', 'spec.engine': 'kafka' }`.
 * A value list means any of them; keys are dotted paths into the entity.
 * @public
 */
export type RunbookEntityFilter = Record<string, string | string[]>;

/** One step of a runbook: an executor and its templated input. @public */
export type RunbookStep = {
  id: string;
  name?: string;
  /** Executor id, e.g. `ansible`, `ssh`, `http`, `tls`. */
  executor: string;
  /** Executor input; strings may hold `${{ target.metadata.name }}` expressions. */
  input?: RunbookJsonObject;
  /** Overrides the runbook's retries for this step. */
  retries?: RunbookRetries;
  /** Overrides the runbook's timeout for this step (e.g. `30s`, `10m`). */
  timeout?: string;
};

/** Retry policy of a step. @public */
export type RunbookRetries = {
  /** Extra attempts after the first one. */
  count: number;
  /** Wait before the first retry, doubled on each further one (e.g. `5s`). */
  backoff?: string;
};

/** Which targets need approval and who approves. @public */
export type RunbookApproval = {
  /** Targets matching this filter wait for approval, e.g. `{ 'spec.environment': 'production' }`. */
  when: RunbookEntityFilter;
  /**
   * Groups whose members may approve (never the requester): refs such as
   * `group:default/sre`, or `sre` for a group in the runbook's namespace.
   */
  approvers: string[];
};

/** A schedule that starts a normal run. @public */
export type RunbookSchedule = {
  /** Standard five-field cron expression, evaluated in UTC. */
  cron: string;
  /** Targets of the scheduled run; defaults to all targets of the runbook. */
  targets?: RunbookEntityFilter;
  parameters?: RunbookJsonObject;
  dryRun?: boolean;
};

/** The spec of a Runbook entity. @public */
export type RunbookSpec = {
  owner: string;
  type?: string;
  lifecycle?: string;
  system?: string;
  /** Which entities the runbook applies to. */
  targets: RunbookEntityFilter;
  /** JSON schema of the run parameters. */
  parameters?: RunbookJsonObject;
  steps: RunbookStep[];
  /** Targets running at once, across all backend replicas. */
  concurrency?: number;
  retries?: RunbookRetries;
  /** Time limit of one step (e.g. `15m`). */
  timeout?: string;
  approval?: RunbookApproval;
  schedule?: RunbookSchedule;
  /** Whether runs may be dry runs (every executor supports it). Defaults to true. */
  dryRun?: boolean;
};

/** A Runbook entity (`fleetdeck.io/v1alpha1`). @public */
export interface RunbookEntityV1alpha1 extends Entity {
  apiVersion: typeof RUNBOOK_API_VERSION;
  kind: typeof RUNBOOK_KIND;
  spec: RunbookSpec;
}

const durationPattern = /^\d+(ms|s|m|h)$/;
const filterSchema = z.record(
  z.string().min(1),
  z.union([z.string(), z.array(z.string()).min(1)]),
);
const retriesSchema = z.object({
  count: z.number().int().min(0).max(20),
  backoff: z.string().regex(durationPattern).optional(),
});

/** zod schema of a Runbook spec. @public */
export const runbookSpecSchema = z.object({
  owner: z.string().min(1),
  type: z.string().optional(),
  lifecycle: z.string().optional(),
  system: z.string().optional(),
  targets: filterSchema,
  parameters: z.record(z.string(), z.unknown()).optional(),
  steps: z
    .array(
      z.object({
        id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/),
        name: z.string().optional(),
        executor: z.string().min(1),
        input: z.record(z.string(), z.unknown()).optional(),
        retries: retriesSchema.optional(),
        timeout: z.string().regex(durationPattern).optional(),
      }),
    )
    .min(1)
    .refine(
      steps => new Set(steps.map(s => s.id)).size === steps.length,
      'step ids must be unique',
    ),
  concurrency: z.number().int().min(1).max(1000).optional(),
  retries: retriesSchema.optional(),
  timeout: z.string().regex(durationPattern).optional(),
  approval: z
    .object({ when: filterSchema, approvers: z.array(z.string()).min(1) })
    .optional(),
  schedule: z
    .object({
      cron: z.string().min(9),
      targets: filterSchema.optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
      dryRun: z.boolean().optional(),
    })
    .optional(),
  dryRun: z.boolean().optional(),
});

/** Whether an entity is a Runbook. @public */
export function isRunbookEntity(
  entity: Entity,
): entity is RunbookEntityV1alpha1 {
  return (
    entity.apiVersion === RUNBOOK_API_VERSION && entity.kind === RUNBOOK_KIND
  );
}

/** Parses a duration such as `500ms`, `30s`, `10m` or `2h` into milliseconds. @public */
export function parseDuration(value: string | undefined, fallbackMs: number) {
  if (!value) return fallbackMs;
  const match = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (!match) throw new Error(`Invalid duration '${value}'`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2]]!;
  return Number(match[1]) * factor;
}
