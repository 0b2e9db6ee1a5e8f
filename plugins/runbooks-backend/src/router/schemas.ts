import { parseInput } from '@fleetdeck/fleetdeck-node';
import { z } from 'zod';
import { ALL_TARGET_STATUSES } from '@fleetdeck/plugin-runbooks-common';

const targetStatus = z.enum(ALL_TARGET_STATUSES);

const logQuery = z.object({
  targetId: z.string().optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

/** The request bodies and queries of the runbooks API. */
export const schemas = {
  listRunbooks: z.object({ entityRef: z.string().min(1).optional() }),
  startRun: z.object({
    runbookRef: z.string().min(1),
    targets: z.array(z.string().min(1)).min(1).max(10_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    dryRun: z.boolean().optional(),
  }),
  listRuns: z.object({
    runbookRef: z.string().optional(),
    entityRef: z.string().optional(),
    requestedBy: z.string().optional(),
    status: z.enum(['running', 'succeeded', 'failed', 'cancelled']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(20),
    // checked by the store, which made it: a malformed one is an InputError
    cursor: z.string().min(1).max(200).optional(),
  }),
  listTargets: z.object({
    status: z
      .union([targetStatus, z.array(targetStatus)])
      .transform(v => (Array.isArray(v) ? v : [v]))
      .optional(),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  listLogs: logQuery
    .extend({
      /** `run`: only the run's own lines, those of no target. */
      scope: z.enum(['run']).optional(),
    })
    .refine(q => !(q.scope === 'run' && q.targetId), {
      message: 'scope=run lists the lines of no target; drop targetId',
      path: ['scope'],
    }),
  streamRun: logQuery.omit({ limit: true }),
  fleetMaintenance: z
    .object({
      /** Only entities of this kind (`cluster`); any case. */
      kind: z
        .string()
        .max(63)
        .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a kind is letters and digits')
        .transform(k => k.toLocaleLowerCase('en-US'))
        .optional(),
    })
    .strict(),
  decide: z.object({
    targetIds: z.array(z.string()).min(1).optional(),
    comment: z.string().max(2000).optional(),
  }),
};

/** The value as `schema` parses it; an InputError (400) naming each bad field when it does not. */
export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
): z.infer<T> {
  // an absent body or query is an empty one
  return parseInput(schema, value ?? {});
}
