/**
 * What the new-change form starts from when it is opened from a search
 * (passed as the navigation's state): the services that matched, and the
 * search as the pattern of a first replace step.
 */
export interface NewChangePrefill {
  entityRefs?: string[];
  pattern?: string;
  fixedString?: boolean;
  ignoreCase?: boolean;
  files?: string[];
}

/** Reads a prefill from navigation state, ignoring anything else found there. */
export function readPrefill(state: unknown): NewChangePrefill | undefined {
  if (!state || typeof state !== 'object' || !('prefill' in state)) {
    return undefined;
  }
  const prefill = (state as { prefill: unknown }).prefill;
  return prefill && typeof prefill === 'object'
    ? (prefill as NewChangePrefill)
    : undefined;
}
