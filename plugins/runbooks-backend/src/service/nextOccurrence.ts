import { CronTime } from 'cron';

/** The next time a cron expression fires after `from` (UTC). */
export function nextOccurrence(cron: string, from: Date): Date {
  return new CronTime(cron, 'UTC').getNextDateFrom(from).toJSDate();
}
