// @ts-check

/**
 * A run pins its runbook's files (the runbook's folder: playbooks, roles,
 * vars) as they were when it started, so that a push during the run changes
 * nothing. Snapshots are content-addressed: runs of the same files share one.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('runbooks_definitions', table => {
    table.comment('The files of a runbook folder as a run pinned them');
    table
      .string('digest', 80)
      .primary()
      .comment('sha256 of paths and contents');
    table.text('files').notNullable().comment('JSON: path -> base64 content');
    table.integer('bytes').notNullable();
    table.bigInteger('created_at').notNullable();
  });
  await knex.schema.alterTable('runbooks_runs', table => {
    table.string('definition_digest', 80).nullable();
    table
      .string('definition_commit', 80)
      .nullable()
      .comment('The commit the files came from, where the source is git');
    table.text('definition_source').nullable().comment('Where they were read');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('runbooks_runs', table => {
    table.dropColumn('definition_digest');
    table.dropColumn('definition_commit');
    table.dropColumn('definition_source');
  });
  await knex.schema.dropTable('runbooks_definitions');
};
