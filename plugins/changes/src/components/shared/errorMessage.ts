import { ResponseError } from '@backstage/errors';

/** The server's own message of a failed request, else the error's message. */
export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message || error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
