import { z } from 'zod';

/** The fields of `GET job_templates/<id>/` the executor reads. */
export const templateSchema = z.object({
  id: z.number(),
  name: z.string(),
  ask_limit_on_launch: z.boolean().default(false),
  ask_variables_on_launch: z.boolean().default(false),
  ask_job_type_on_launch: z.boolean().default(false),
  survey_enabled: z.boolean().default(false),
});
export type AapTemplate = z.infer<typeof templateSchema>;

export const templatePageSchema = z.object({
  count: z.number(),
  results: z.array(templateSchema),
});

/** The answer of `POST job_templates/<id>/launch/`. */
export const launchSchema = z.object({
  id: z.number(),
  ignored_fields: z.record(z.string(), z.unknown()).nullish(),
});

/** The fields of `GET jobs/<id>/` the executor reads. */
export const jobSchema = z.object({
  id: z.number(),
  status: z.string(),
  job_explanation: z.string().nullish(),
  artifacts: z.record(z.string(), z.unknown()).nullish(),
  /** Whether every event of a finished job is saved; absent before AWX 1.0.3. */
  event_processing_finished: z.boolean().optional(),
});
export type AapJob = z.infer<typeof jobSchema>;

export const jobEventSchema = z.object({
  counter: z.number(),
  event: z.string(),
  stdout: z.string().nullish(),
  failed: z.boolean().nullish(),
});
export type AapJobEvent = z.infer<typeof jobEventSchema>;

export const eventPageSchema = z.object({
  next: z.string().nullish(),
  results: z.array(jobEventSchema),
});

/** Statuses of a job that will not change any more. */
export const FINISHED_STATUSES = ['successful', 'failed', 'error', 'canceled'];

/** `data` read with `schema`, or an error saying which answer was odd. */
export function parseAnswer<T>(
  schema: z.ZodType<T>,
  data: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new Error(
      `Unexpected answer from AAP to ${what}: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
