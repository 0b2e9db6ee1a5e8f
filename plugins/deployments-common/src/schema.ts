import { z } from 'zod';

/** A full 40-character SHA-1 (or 64-character SHA-256) commit id. */
export const commitShaSchema = z
  .string()
  .regex(
    /^([0-9a-f]{40}|[0-9a-f]{64})$/i,
    'must be a full 40 (or 64) character hexadecimal commit SHA',
  )
  .transform(s => s.toLowerCase());

/**
 * The body of `POST /api/deployments/v1/deployments`.
 *
 * The record is idempotent on (entityRef, environment, commitSha, deployedAt):
 * a pipeline that retries with the same body records one deployment.
 */
export const deploymentInputSchema = z
  .object({
    entityRef: z
      .string()
      .min(1)
      .max(255)
      .describe('Catalog entity, e.g. component:default/payments-api'),
    environment: z.string().min(1).max(63),
    commitSha: commitShaSchema,
    version: z.string().min(1).max(255).optional(),
    deployedAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        'When the deployment finished; defaults to the time of the request',
      ),
    deployedBy: z.string().min(1).max(255).optional(),
    pipelineUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    status: z.enum(['succeeded', 'failed', 'in_progress']).default('succeeded'),
  })
  .strict();

/** A validated deployment as pipelines and pull sources report it. */
export type DeploymentInput = z.input<typeof deploymentInputSchema>;
