import { Knex } from 'knex';
import { isPostgres } from '../sql';
import { DbBigInt } from '../tables';

/** When an entity last had a runbook of one type succeed on it. */
export interface LastSucceeded {
  runbookRef: string;
  /** The runbook's `spec.type` as the run started it. */
  runbookType: string;
  entityRef: string;
  /** The target's end (epoch ms). */
  finishedAt: number;
}

/** A run's runbook type (`spec.type` of the stored runbook JSON), as SQL. */
export function runbookTypeSql(db: Knex): string {
  return isPostgres(db)
    ? `(runbook::jsonb #>> '{spec,type}')`
    : `json_extract(runbook, '$.spec.type')`;
}

/**
 * Per runbook, runbook type and target entity, the end of its latest
 * succeeded target in a run that was not a dry run: one grouped query over
 * all targets. The runs' JSON is read once per run (a materialized CTE), not
 * once per target. `kind` keeps the entities of one kind (lower case, checked
 * by the caller); the caller filters the runbooks by permission.
 */
export async function lastSucceeded(
  db: Knex,
  options: { kind?: string } = {},
): Promise<LastSucceeded[]> {
  const runs = db('runbooks_runs')
    .where('dry_run', false)
    .select(
      'id',
      'runbook_ref',
      db.raw(`${runbookTypeSql(db)} AS runbook_type`),
    );
  let query = db
    .withMaterialized('typed_runs', runs)
    .from('runbooks_targets as t')
    .join('typed_runs as r', 'r.id', 't.run_id')
    .where('t.status', 'succeeded')
    .whereNotNull('r.runbook_type')
    .whereNotNull('t.finished_at')
    .groupBy('r.runbook_ref', 'r.runbook_type', 't.entity_ref')
    .select('r.runbook_ref', 'r.runbook_type', 't.entity_ref')
    .max({ finished_at: 't.finished_at' });
  if (options.kind)
    query = query.where('t.entity_ref', 'like', `${options.kind}:%`);
  const rows = (await query) as {
    runbook_ref: string;
    runbook_type: unknown;
    entity_ref: string;
    finished_at: DbBigInt;
  }[];
  return rows.map(r => ({
    runbookRef: r.runbook_ref,
    runbookType: String(r.runbook_type),
    entityRef: r.entity_ref,
    finishedAt: Number(r.finished_at),
  }));
}
