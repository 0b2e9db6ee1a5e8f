/** Why a Vault call failed. @public */
export type VaultErrorReason =
  /** The portal's policy does not allow it. */
  | 'denied'
  /** The configured token expired or was revoked. */
  | 'expired'
  /** AppRole or Kubernetes login was refused. */
  | 'login'
  /** Vault could not be reached, or kept answering 5xx. */
  | 'unreachable'
  /** No secret at the path, or no such key in it. */
  | 'not-found'
  /** Vault refused the request as invalid (4xx). */
  | 'refused'
  /** Fleetdeck's own `vault` config or reference is wrong. */
  | 'config';

/**
 * A failed Vault call, its message naming what to fix. Never holds a secret
 * value or a token. @public
 */
export class VaultError extends Error {
  readonly reason: VaultErrorReason;

  constructor(reason: VaultErrorReason, message: string) {
    super(message);
    this.name = 'VaultError';
    this.reason = reason;
  }
}

/** Vault's `errors` as one line: "1 error occurred:\n\t* permission denied" → "permission denied". */
export function vaultErrorText(body: unknown): string {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return '';
  return errors
    .map(e =>
      String(e)
        .replace(/^\d+ errors? occurred:/, '')
        .replace(/\s*\*\s*/g, ' ')
        .trim(),
    )
    .join('; ')
    .slice(0, 300);
}
