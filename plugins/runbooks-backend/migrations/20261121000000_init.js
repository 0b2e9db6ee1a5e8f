// @ts-check

/**
 * Runs, their targets (one row per target entity), step results and log lines.
 * Times are epoch milliseconds (bigint) so that heartbeat comparisons behave
 * the same on SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('runbooks_runs', table => {
    table.comment('One run of a runbook over a set of targets');
    table.string('id', 36).primary();
    table.string('runbook_ref').notNullable().index();
    table.text('runbook').notNullable().comment('Runbook entity as started');
    table.text('parameters').notNullable();
    table.string('requested_by').notNullable().index();
    table.string('status', 32).notNullable().index();
    table.boolean('dry_run').notNullable().defaultTo(false);
    table.integer('concurrency').notNullable();
    table.string('retry_of', 36).nullable();
    table.string('schedule').nullable();
    table.bigInteger('created_at').notNullable().index();
    table.bigInteger('finished_at').nullable();
  });
  await knex.schema.createTable('runbooks_targets', table => {
    table.comment(
      'One target entity of a run, claimed by one worker at a time',
    );
    table.string('id', 36).primary();
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('runbooks_runs')
      .onDelete('CASCADE');
    table.integer('position').notNullable();
    table.string('entity_ref').notNullable().index();
    table.text('entity').notNullable().comment('Target entity as started');
    table.string('status', 32).notNullable();
    table.boolean('needs_approval').notNullable().defaultTo(false);
    table.string('decided_by').nullable();
    table.text('decision_comment').nullable();
    table.string('claim_id', 36).nullable().comment('Changes on every claim');
    table.string('claimed_by').nullable().comment('Worker that holds it');
    table.bigInteger('heartbeat_at').nullable();
    table.integer('claims').notNullable().defaultTo(0);
    table.bigInteger('started_at').nullable();
    table.bigInteger('finished_at').nullable();
    table.text('error').nullable();
    table.index(['run_id', 'status', 'position'], 'runbooks_targets_claim_idx');
    table.index(['status', 'heartbeat_at'], 'runbooks_targets_stale_idx');
  });
  await knex.schema.createTable('runbooks_steps', table => {
    table.comment(
      'Result of one step on one target; written before the next step starts',
    );
    table
      .string('target_id', 36)
      .notNullable()
      .references('id')
      .inTable('runbooks_targets')
      .onDelete('CASCADE');
    table.integer('step_index').notNullable();
    table.string('step_id').notNullable();
    table.string('status', 32).notNullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.bigInteger('started_at').nullable();
    table.bigInteger('finished_at').nullable();
    table.text('output').nullable();
    table.text('error').nullable();
    table.primary(['target_id', 'step_index']);
  });
  await knex.schema.createTable('runbooks_logs', table => {
    table.comment('Redacted log lines of runs');
    table.bigIncrements('id').primary();
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('runbooks_runs')
      .onDelete('CASCADE');
    table.string('target_id', 36).nullable();
    table.string('step_id').nullable();
    table.string('level', 8).notNullable();
    table.text('message').notNullable();
    table.bigInteger('created_at').notNullable();
    table.index(['run_id', 'id'], 'runbooks_logs_run_idx');
    table.index(['target_id', 'id'], 'runbooks_logs_target_idx');
  });
  await knex.schema.createTable('runbooks_schedules', table => {
    table.comment('Last cron occurrence each scheduled runbook fired for');
    table.string('runbook_ref').primary();
    table.bigInteger('last_fired_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('runbooks_schedules');
  await knex.schema.dropTable('runbooks_logs');
  await knex.schema.dropTable('runbooks_steps');
  await knex.schema.dropTable('runbooks_targets');
  await knex.schema.dropTable('runbooks_runs');
};
