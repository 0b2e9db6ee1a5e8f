// @ts-check

/**
 * `changed_at`: when a target's status last changed, by the database's clock
 * (epoch ms), set by every write that changes a status. The live view of a
 * run asks for the targets changed since its last look (index on run_id,
 * changed_at) instead of re-reading the first page of targets, so every
 * target of a large run gets its status events. Targets written before this
 * migration take their last known time.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('runbooks_targets', table => {
    table
      .bigInteger('changed_at')
      .notNullable()
      .defaultTo(0)
      .comment('When status last changed (database clock, epoch ms)');
  });
  await knex('runbooks_targets').update({
    changed_at: knex.raw('coalesce(finished_at, heartbeat_at, started_at, 0)'),
  });
  await knex.schema.alterTable('runbooks_targets', table => {
    table.index(['run_id', 'changed_at'], 'runbooks_targets_changed_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('runbooks_targets', table => {
    table.dropIndex([], 'runbooks_targets_changed_idx');
    table.dropColumn('changed_at');
  });
};
