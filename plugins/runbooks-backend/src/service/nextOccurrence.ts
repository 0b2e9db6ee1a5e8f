import { nextCronOccurrence } from '@fleetdeck/plugin-runbooks-common';

/**
 * The latest time a cron expression fired in `(after, now]` (UTC), or
 * undefined when it did not. Looks back from `now` over a window that
 * doubles until it holds an occurrence, so a long outage costs a few
 * look-ups, not one per missed occurrence.
 */
export function latestOccurrence(
  cron: string,
  after: Date,
  now: Date,
): Date | undefined {
  const end = now.getTime();
  let latest: Date | undefined;
  for (let window = 60_000; !latest; window *= 2) {
    const from = Math.max(after.getTime(), end - window);
    const next = nextCronOccurrence(cron, new Date(from));
    if (next.getTime() <= end) latest = next;
    else if (from === after.getTime()) return undefined;
  }
  for (;;) {
    const next = nextCronOccurrence(cron, latest);
    if (next.getTime() > end) return latest;
    latest = next;
  }
}
