import { InputError } from '@backstage/errors';
import { z } from 'zod';

/**
 * Validates a request body, query or action input against a zod schema and
 * returns the parsed value; throws an InputError (a 400) whose message names
 * each offending field, as zod's `prettifyError` writes it.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InputError(z.prettifyError(result.error));
  return result.data;
}
