// @ts-check

/**
 * Live workers: each replica's worker records itself on every heartbeat, with
 * how many targets it could still take. Workers split a run's concurrency
 * between the live ones that have room, so every replica gets a share.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('runbooks_workers', table => {
    table.comment('Workers of the backend replicas, renewed on each heartbeat');
    table.string('id').primary();
    table.bigInteger('seen_at').notNullable();
    table.integer('free_slots').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('runbooks_workers');
};
