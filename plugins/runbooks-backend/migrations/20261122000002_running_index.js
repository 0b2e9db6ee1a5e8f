// @ts-check

/**
 * The stale-claim lookup only ever asks for running targets: a partial index
 * over those replaces the index on (status, heartbeat_at). Updates of
 * targets that are not running no longer write to it, and the planner can
 * no longer pick it for the pending-targets query, which belongs on
 * runbooks_targets_claim_idx (run_id, status, position).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('runbooks_targets', table => {
    table.dropIndex([], 'runbooks_targets_stale_idx');
  });
  await knex.raw(
    `CREATE INDEX runbooks_targets_running_idx ON runbooks_targets (heartbeat_at) WHERE status = 'running'`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX runbooks_targets_running_idx');
  await knex.schema.alterTable('runbooks_targets', table => {
    table.index(['status', 'heartbeat_at'], 'runbooks_targets_stale_idx');
  });
};
