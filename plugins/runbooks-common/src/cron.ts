import { CronTime } from 'cron';

/**
 * The next time a runbook schedule fires after `from`, in UTC. Reads what
 * the `cron` package reads (five fields, or six with seconds first; names
 * such as `mon-fri`; `@daily`), so the portal shows what the backend runs.
 * Throws an Error naming the expression when it is invalid or never fires.
 */
export function nextCronOccurrence(
  cron: string,
  from: Date = new Date(),
): Date {
  try {
    return new CronTime(cron, 'UTC').getNextDateFrom(from).toJSDate();
  } catch (e) {
    const reason = String((e as Error)?.message ?? e).split('\n')[0];
    throw new Error(`Invalid cron expression '${cron}': ${reason}`);
  }
}

/**
 * {@link nextCronOccurrence} as an ISO timestamp, or undefined for an
 * expression that is invalid or never fires (such a schedule never runs).
 */
export function nextCronRunAt(
  cron: string,
  from: Date = new Date(),
): string | undefined {
  try {
    return nextCronOccurrence(cron, from).toISOString();
  } catch {
    return undefined;
  }
}
