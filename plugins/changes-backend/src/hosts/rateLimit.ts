import { setTimeout as sleep } from 'timers/promises';
import { ReviewHostOptions } from './types';

/**
 * Runs `call`, and when it fails with a rate limit that `waitMs` recognises
 * (returning how long until it lifts), waits that long and runs it again;
 * waits longer than `maxRateLimitWaitMs`, and errors `waitMs` does not
 * recognise, are thrown as they are.
 */
export async function retryRateLimited<T>(
  call: () => Promise<T>,
  waitMs: (error: unknown) => number | undefined,
  options: ReviewHostOptions = {},
): Promise<T> {
  const maxWait = options.maxRateLimitWaitMs ?? 60_000;
  const retries = options.rateLimitRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const wait = waitMs(error);
      if (wait === undefined || wait > maxWait || attempt >= retries) {
        throw error;
      }
      await sleep(Math.max(0, wait), undefined, { signal: options.signal });
    }
  }
}

/** Milliseconds until `Retry-After` (seconds or an HTTP date) allows a retry. */
export function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Milliseconds until an epoch-seconds reset time, with a little slack for clock skew. */
export function resetMs(epochSeconds: string | undefined): number | undefined {
  if (!epochSeconds || !/^\d+$/.test(epochSeconds)) return undefined;
  return Math.max(0, Number(epochSeconds) * 1000 - Date.now()) + 250;
}
