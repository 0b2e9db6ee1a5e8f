import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/**
 * Finds entities the catalog has stitched (a row in `final_entities`) but
 * whose search rows are missing, and has the catalog process and stitch them
 * again. Returns their refs.
 *
 * The catalog's stitcher writes `final_entities` and then, in a separate
 * statement, the entity's `search` rows. A backend that stops between the two
 * (a restart during ingestion, a lost database connection) leaves an entity
 * that opens by name but is missing from every filtered or sorted list: the
 * Fleet page, "owned by my team", `kind=Cluster` queries. Later refreshes
 * never heal it, because the processed entity's hash has not changed
 * (backstage/backstage#35734). Clearing both hashes makes the next processing
 * round stitch it in full.
 */
export async function repairUnsearchableEntities(
  knex: Knex,
): Promise<string[]> {
  const rows: { entity_id: string; entity_ref: string }[] = await knex(
    'final_entities as f',
  )
    .whereNotNull('f.final_entity')
    .whereNotExists(
      knex('search as s')
        .select(knex.raw('1'))
        .whereRaw('s.entity_id = f.entity_id'),
    )
    .select('f.entity_id', 'f.entity_ref');
  for (let i = 0; i < rows.length; i += 500) {
    const ids = rows.slice(i, i + 500).map(r => r.entity_id);
    await knex.transaction(async tx => {
      await tx('final_entities').whereIn('entity_id', ids).update({ hash: '' });
      await tx('refresh_state')
        .whereIn('entity_id', ids)
        .update({ result_hash: '', next_update_at: tx.fn.now() });
    });
  }
  return rows.map(r => r.entity_ref);
}

/** Runs the repair on one replica at a time, shortly after startup and then every 10 minutes. */
export async function scheduleSearchRepair(options: {
  database: { getClient(): Promise<Knex> };
  scheduler: SchedulerService;
  logger: LoggerService;
}) {
  const { database, scheduler, logger } = options;
  await scheduler.scheduleTask({
    id: 'fleetdeck-catalog-search-repair',
    frequency: { minutes: 10 },
    timeout: { minutes: 2 },
    initialDelay: { seconds: 30 },
    fn: async () => {
      try {
        const refs = await repairUnsearchableEntities(
          await database.getClient(),
        );
        if (refs.length) {
          logger.warn(
            `Stitching ${
              refs.length
            } entities again: the catalog had stored them without their search rows, so lists and filters missed them (backstage/backstage#35734): ${refs
              .slice(0, 20)
              .join(', ')}${
              refs.length > 20 ? ` and ${refs.length - 20} more` : ''
            }`,
          );
        }
      } catch (e) {
        // the catalog's tables are its own: if they change shape, say so and go on
        logger.warn(`Could not check the catalog's search rows: ${e}`);
      }
    },
  });
}
