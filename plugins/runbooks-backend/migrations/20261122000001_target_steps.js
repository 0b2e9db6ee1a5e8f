// @ts-check

/**
 * Step results move into their target's row (`steps`, a JSON array indexed
 * by step position): a worker then records a step, and the target's end,
 * with a single row update, and a page of targets reads in one query.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('runbooks_targets', table => {
    table
      .text('steps')
      .nullable()
      .comment('Step results: JSON array by step position, null where none');
  });
  const rows = await knex('runbooks_steps').orderBy([
    'target_id',
    'step_index',
  ]);
  const byTarget = new Map();
  for (const row of rows) {
    const steps = byTarget.get(row.target_id) ?? [];
    steps[Number(row.step_index)] = {
      id: row.step_id,
      status: row.status,
      attempts: Number(row.attempts),
      startedAt: row.started_at === null ? undefined : Number(row.started_at),
      finishedAt:
        row.finished_at === null ? undefined : Number(row.finished_at),
      output: row.output ? JSON.parse(row.output) : undefined,
      error: row.error ?? undefined,
    };
    byTarget.set(row.target_id, steps);
  }
  for (const [id, steps] of byTarget) {
    await knex('runbooks_targets')
      .where({ id })
      .update({ steps: JSON.stringify(Array.from(steps, s => s ?? null)) });
  }
  await knex.schema.dropTable('runbooks_steps');
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.createTable('runbooks_steps', table => {
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
  const targets = await knex('runbooks_targets')
    .whereNotNull('steps')
    .select('id', 'steps');
  for (const target of targets) {
    /** @type {any[]} */
    const steps = JSON.parse(target.steps);
    const rows = steps.flatMap((s, index) =>
      s
        ? [
            {
              target_id: target.id,
              step_index: index,
              step_id: s.id,
              status: s.status,
              attempts: s.attempts,
              started_at: s.startedAt ?? null,
              finished_at: s.finishedAt ?? null,
              output: s.output === undefined ? null : JSON.stringify(s.output),
              error: s.error ?? null,
            },
          ]
        : [],
    );
    if (rows.length) await knex('runbooks_steps').insert(rows);
  }
  await knex.schema.alterTable('runbooks_targets', table => {
    table.dropColumn('steps');
  });
};
