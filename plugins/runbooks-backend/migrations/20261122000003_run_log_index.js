// @ts-check

/**
 * A run's own log lines (no target: schedule notes, requeued claims) are
 * listed on their own; this index finds them without walking every
 * target's lines of the run.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.raw(
    'CREATE INDEX runbooks_logs_run_only_idx ON runbooks_logs (run_id, id) WHERE target_id IS NULL',
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX runbooks_logs_run_only_idx');
};
