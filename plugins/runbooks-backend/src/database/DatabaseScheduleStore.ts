import { Knex } from 'knex';
import { ScheduleRow } from './tables';

/**
 * The last cron occurrence each scheduled runbook fired for. Replicas agree
 * on which of them fires an occurrence without comparing their clocks: a
 * fire is a compare-and-set from the value the replica read to the
 * occurrence it computed from that value, so of replicas that read the same
 * value exactly one moves it on, whatever time each of them thinks it is.
 */
export class DatabaseScheduleStore {
  constructor(private readonly db: Knex) {}

  /**
   * Records that `runbookRef`'s schedule fired for `occurrence` (epoch ms);
   * true for the one caller that did. `previous` is the `lastScheduleFire`
   * the caller read and computed the occurrence from: the write happens
   * only if it is still the stored value (undefined: no row yet, the
   * schedule's first sighting).
   */
  async markScheduleFired(
    runbookRef: string,
    occurrence: number,
    previous: number | undefined,
  ): Promise<boolean> {
    if (previous !== undefined) {
      const updated = await this.db<ScheduleRow>('runbooks_schedules')
        .where({ runbook_ref: runbookRef, last_fired_at: previous })
        .update({ last_fired_at: occurrence });
      return updated > 0;
    }
    const inserted = await this.db<ScheduleRow>('runbooks_schedules')
      .insert({ runbook_ref: runbookRef, last_fired_at: occurrence })
      .onConflict('runbook_ref')
      .ignore()
      .returning('runbook_ref');
    // another replica inserted it first: nothing returned
    return inserted.length > 0;
  }

  /** The occurrence the schedule last fired for (epoch ms), if it ever did. */
  async lastScheduleFire(runbookRef: string): Promise<number | undefined> {
    const row = await this.db<ScheduleRow>('runbooks_schedules')
      .where('runbook_ref', runbookRef)
      .first('last_fired_at');
    return row ? Number(row.last_fired_at) : undefined;
  }
}
