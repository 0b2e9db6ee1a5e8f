// @ts-check

/**
 * Deployments (history, never overwritten), the diff cache (one row per
 * repository and SHA pair, commits stored in chunks), per-commit files and
 * GitHub pull request details. Times are epoch milliseconds (bigint) so they
 * compare the same on SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployments', table => {
    table.comment('One deployment of a commit of an entity to an environment');
    table.increments('id');
    table.string('entity_ref').notNullable();
    table.string('environment', 63).notNullable();
    table.string('commit_sha', 64).notNullable();
    table.string('version').nullable();
    table.bigInteger('deployed_at').notNullable();
    table.string('deployed_by').nullable();
    table.text('pipeline_url').nullable();
    table.string('status', 16).notNullable();
    table.string('source', 63).notNullable();
    table.text('warning').nullable();
    table.bigInteger('recorded_at').notNullable();
    table.unique(['entity_ref', 'environment', 'commit_sha', 'deployed_at'], {
      indexName: 'deployments_idempotency_key',
    });
    table.index(
      ['entity_ref', 'environment', 'deployed_at'],
      'deployments_entity_env_idx',
    );
  });

  await knex.schema.createTable('deployments_diff_ranges', table => {
    table.comment('Cached comparison of two commits of a repository');
    table.increments('id');
    table.string('repo_key', 40).notNullable();
    table.string('base_sha', 64).notNullable();
    table.string('head_sha', 64).notNullable();
    table.string('status', 16).notNullable();
    table.integer('ahead').notNullable();
    table.integer('behind').notNullable();
    table.string('merge_base', 64).nullable();
    table.bigInteger('oldest_commit_at').nullable();
    table.boolean('truncated').notNullable().defaultTo(false);
    table
      .text('files')
      .nullable()
      .comment('JSON: files changed over the range');
    table.bigInteger('computed_at').notNullable();
    table.unique(['repo_key', 'base_sha', 'head_sha'], {
      indexName: 'deployments_diff_ranges_key',
    });
  });

  await knex.schema.createTable('deployments_diff_chunks', table => {
    table.comment(
      'Commits of a cached range, in git log order, in fixed-size chunks',
    );
    table
      .integer('range_id')
      .notNullable()
      .references('id')
      .inTable('deployments_diff_ranges')
      .onDelete('CASCADE');
    table.string('side', 8).notNullable();
    table.integer('chunk').notNullable();
    table.text('commits', 'mediumtext').notNullable();
    table.primary(['range_id', 'side', 'chunk']);
  });

  await knex.schema.createTable('deployments_commit_files', table => {
    table.comment('Files a commit changed (immutable per SHA)');
    table.string('repo_key', 40).notNullable();
    table.string('sha', 64).notNullable();
    table.text('files').notNullable();
    table.primary(['repo_key', 'sha']);
  });

  await knex.schema.createTable('deployments_pull_requests', table => {
    table.comment(
      'Pull request details fetched from GitHub, with the ETag for conditional refreshes',
    );
    table.string('repo_key', 40).notNullable();
    table.integer('number').notNullable();
    table.string('state', 16).notNullable();
    table.text('title').nullable();
    table.string('author').nullable();
    table.text('url').nullable();
    table.string('etag').nullable();
    table.bigInteger('fetched_at').notNullable();
    table.primary(['repo_key', 'number']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deployments_pull_requests');
  await knex.schema.dropTable('deployments_commit_files');
  await knex.schema.dropTable('deployments_diff_chunks');
  await knex.schema.dropTable('deployments_diff_ranges');
  await knex.schema.dropTable('deployments');
};
