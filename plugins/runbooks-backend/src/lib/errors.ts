/** The message of an error, whatever was thrown (even an object whose `message` getter throws). */
export function messageOf(e: unknown): string {
  try {
    return typeof (e as Error)?.message === 'string'
      ? (e as Error).message
      : String(e);
  } catch {
    return 'unprintable error';
  }
}

/** An error as a message with its kind, whatever was thrown. */
export function describeError(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    return 'unprintable error';
  }
}
