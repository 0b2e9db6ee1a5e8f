import { Knex } from 'knex';
import { WorkerRow } from './tables';

/**
 * The live workers of all replicas. Each worker records itself on every
 * heartbeat with how many targets it could still take; workers split a run's
 * concurrency between the live ones that have room, so every replica gets a
 * share.
 */
export class DatabaseWorkerRegistry {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => number,
  ) {}

  /**
   * Records a worker as live with room for `freeSlots` more targets; returns
   * how many live workers (this one included) have room, to split runs by.
   */
  async registerWorker(
    workerId: string,
    freeSlots: number,
    staleAfterMs: number,
  ): Promise<number> {
    const now = this.clock();
    await this.db<WorkerRow>('runbooks_workers')
      .insert({ id: workerId, seen_at: now, free_slots: freeSlots })
      .onConflict('id')
      .merge(['seen_at', 'free_slots']);
    const [{ count }] = await this.db<WorkerRow>('runbooks_workers')
      .where('seen_at', '>=', now - staleAfterMs)
      .andWhere(q => q.where('free_slots', '>', 0).orWhere('id', workerId))
      .count({ count: '*' });
    // forget workers gone for good (ten times the staleness window)
    await this.db<WorkerRow>('runbooks_workers')
      .where('seen_at', '<', now - 10 * staleAfterMs)
      .delete();
    return Math.max(1, Number(count));
  }

  /** A worker that stops leaves the registry at once. */
  async unregisterWorker(workerId: string): Promise<void> {
    await this.db<WorkerRow>('runbooks_workers').where('id', workerId).delete();
  }
}
