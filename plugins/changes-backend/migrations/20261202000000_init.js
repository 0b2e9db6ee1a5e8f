// @ts-check

/**
 * Changes (one per fleet-wide change) and one row per (change, repository):
 * its state, preview, branch, commit and pull request, and the claim an
 * apply worker holds on it. Times are epoch milliseconds (bigint) so they
 * compare the same on SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('changes', table => {
    table.comment('A fleet-wide change: a recipe applied to many repositories');
    table.string('id', 36).primary();
    table.string('title', 200).notNullable();
    table.text('description').notNullable();
    table.string('state', 16).notNullable();
    table.string('created_by').notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.string('branch', 100).notNullable();
    table.integer('concurrency').notNullable();
    table.text('targets').notNullable();
    table.text('recipe').notNullable();
    table.boolean('trusted').notNullable().defaultTo(false);
    table.index(['created_at'], 'changes_created_idx');
  });

  await knex.schema.createTable('changes_repositories', table => {
    table.comment('A change in one repository (one catalog entity)');
    table.string('change_id', 36).notNullable();
    table.string('entity_ref').notNullable();
    table.string('state', 24).notNullable();
    table.text('repo_url').notNullable();
    table.text('web_url').nullable();
    table.string('default_branch').nullable();
    table.string('base_sha', 64).nullable();
    table.text('files').nullable();
    table.text('diff').nullable();
    table.string('commit_sha', 64).nullable();
    table.integer('pr_number').nullable();
    table.text('pr_url').nullable();
    table.string('pr_etag').nullable();
    table.string('checks', 16).nullable();
    table.text('error').nullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.string('applied_by').nullable();
    table.string('approved_by').nullable();
    table.string('claimed_by', 64).nullable();
    table.bigInteger('heartbeat_at').nullable();
    table.bigInteger('updated_at').notNullable();
    table.primary(['change_id', 'entity_ref']);
    table.index(['state', 'heartbeat_at'], 'changes_repositories_work_idx');
    table.index(['entity_ref'], 'changes_repositories_entity_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('changes_repositories');
  await knex.schema.dropTable('changes');
};
