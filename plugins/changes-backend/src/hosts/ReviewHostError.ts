/**
 * A pull/merge request operation the host refused or failed; the message
 * carries the host's own words (shown to users) and never a token.
 */
export class ReviewHostError extends Error {
  readonly name = 'ReviewHostError';

  constructor(
    message: string,
    /** The host's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** `message` with every occurrence of the secrets masked. */
export function redact(message: string, secrets: (string | undefined)[]) {
  return secrets.reduce<string>(
    (text, secret) => (secret ? text.split(secret).join('***') : text),
    message,
  );
}
