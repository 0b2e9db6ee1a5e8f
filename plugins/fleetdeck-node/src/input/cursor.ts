import { InputError } from '@backstage/errors';
import { JsonValue } from '@backstage/types';
import { z } from 'zod';

/**
 * An opaque page cursor for `value` (the sort key of the last row, e.g.
 * `[createdAt, id]`): base64url JSON, so callers neither read nor build it.
 */
export function encodeCursor(value: JsonValue): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * The value of a cursor made by {@link encodeCursor}, checked against
 * `schema`; throws an InputError (a 400) for anything else, so that a
 * tampered or truncated cursor never reaches a query (as NaN, say).
 */
export function decodeCursor<T extends z.ZodType>(
  schema: T,
  cursor: string,
): z.infer<T> {
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InputError(`Invalid cursor '${cursor.slice(0, 100)}'`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(`Invalid cursor '${cursor.slice(0, 100)}'`);
  }
  return result.data;
}
