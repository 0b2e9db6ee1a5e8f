import { Knex } from 'knex';
import { randomUUID } from 'crypto';
import { encodeFiles } from '../../trust/DefinitionSnapshots';
import { insertLogs } from '../DatabaseLogStore';
import { chunks, databaseNowSql, isPostgres, values } from '../sql';
import { DefinitionRow, RunRow, TargetRow } from '../tables';
import { NewRun } from '../types';

type NewTargetRow = Pick<
  TargetRow,
  | 'id'
  | 'run_id'
  | 'position'
  | 'entity_ref'
  | 'entity'
  | 'status'
  | 'needs_approval'
  | 'claims'
>;

/**
 * Writes the run, its pinned files, its note and all its targets in one
 * transaction: nothing runs before it commits. Returns the run's id.
 */
export async function createRun(
  db: Knex,
  run: NewRun,
  now: number,
): Promise<string> {
  const id = randomUUID();
  await db.transaction(async tx => {
    if (run.definition) {
      // content-addressed: the same files are stored once
      await tx<DefinitionRow>('runbooks_definitions')
        .insert({
          digest: run.definition.digest,
          files: encodeFiles(run.definition.files),
          bytes: [...run.definition.files.values()].reduce(
            (sum, f) => sum + f.length,
            0,
          ),
          created_at: now,
        })
        .onConflict('digest')
        .ignore();
    }
    const row: RunRow = {
      id,
      runbook_ref: run.runbookRef,
      runbook: JSON.stringify(run.runbook),
      parameters: JSON.stringify(run.parameters),
      requested_by: run.requestedBy,
      status: 'running',
      dry_run: run.dryRun,
      concurrency: run.concurrency,
      retry_of: run.retryOf ?? null,
      schedule: run.schedule ?? null,
      created_at: now,
      finished_at: null,
      definition_digest: run.definition?.digest ?? null,
      definition_commit: run.definition?.commit ?? null,
      definition_source: run.definition?.source ?? null,
    };
    await tx<RunRow>('runbooks_runs').insert(row);
    if (run.note) {
      await insertLogs(
        tx,
        [{ runId: id, level: 'warn', message: run.note, createdAt: now }],
        now,
      );
    }
    const targets: NewTargetRow[] = run.targets.map((t, position) => ({
      id: randomUUID(),
      run_id: id,
      position,
      entity_ref: t.entityRef,
      entity: JSON.stringify(t.entity),
      status: t.needsApproval ? 'awaiting_approval' : 'pending',
      needs_approval: t.needsApproval,
      claims: 0,
    }));
    await insertTargets(tx, targets);
  });
  return id;
}

/** The target rows, `changed_at` by the database's clock. */
async function insertTargets(tx: Knex.Transaction, rows: NewTargetRow[]) {
  const changedAt = databaseNowSql(tx);
  if (isPostgres(tx)) {
    // one statement per 5,000 rows, the rows as one JSON parameter
    for (const chunk of chunks(rows, 5000)) {
      await tx.raw(
        `INSERT INTO runbooks_targets
           (id, run_id, position, entity_ref, entity, status,
            needs_approval, claims, changed_at)
         SELECT id, run_id, position, entity_ref, entity, status,
                needs_approval, claims, ${changedAt}
         FROM json_to_recordset(?::json) AS x(id text, run_id text,
           position int, entity_ref text, entity text, status text,
           needs_approval boolean, claims int)`,
        [JSON.stringify(chunk)],
      );
    }
    return;
  }
  // SQLite allows 32,766 bound variables per statement
  for (const chunk of chunks(rows, 100)) {
    const input = values(
      chunk.map(r => [
        r.id,
        r.run_id,
        r.position,
        r.entity_ref,
        r.entity,
        r.status,
        r.needs_approval,
        r.claims,
      ]),
    );
    // the clock once per statement, not a raw value per row
    await tx.raw(
      `INSERT INTO runbooks_targets
         (id, run_id, position, entity_ref, entity, status, needs_approval,
          claims, changed_at)
       SELECT i.*, ${changedAt} FROM (VALUES ${input.sql}) AS i`,
      input.bindings,
    );
  }
}
