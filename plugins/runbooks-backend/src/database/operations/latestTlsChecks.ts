import { Knex } from 'knex';
import { parseJson } from '../mappers';
import { chunks, isPostgres } from '../sql';
import { DbBigInt, RunRow, TargetRow } from '../tables';
import { StoredStep } from '../types';

/** The executor of the TLS certificate check. */
export const TLS_EXECUTOR = 'tls';

/** An entity's latest TLS check: the newest ended target of a run with a `tls` step. */
export interface LatestTlsCheck {
  runbookRef: string;
  entityRef: string;
  runId: string;
  /** The target's end (epoch ms). */
  finishedAt: number;
  /**
   * The fewest days left of the certificates its `tls` steps reported (a
   * failed check's too), negative once expired; undefined when no step
   * reported a certificate (e.g. none could be reached).
   */
  minDaysLeft?: number;
}

/** Whether a run's stored runbook has a step of the TLS executor, as SQL. */
function hasTlsStepSql(db: Knex): Knex.Raw {
  return isPostgres(db)
    ? db.raw(`runbook::jsonb @> ?::jsonb`, [
        JSON.stringify({ spec: { steps: [{ executor: TLS_EXECUTOR }] } }),
      ])
    : db.raw(
        `EXISTS (SELECT 1 FROM json_each(runbook, '$.spec.steps') AS s
          WHERE json_extract(s.value, '$.executor') = ?)`,
        [TLS_EXECUTOR],
      );
}

/** The fewest days left over the certificates of the steps at `positions`. */
function minDaysLeft(
  steps: (StoredStep | null)[],
  positions: Set<number>,
): number | undefined {
  let min: number | undefined;
  steps.forEach((step, i) => {
    if (!positions.has(i)) return;
    const certificates = (step?.output as { certificates?: unknown })
      ?.certificates;
    if (!Array.isArray(certificates)) return;
    for (const c of certificates) {
      const days = (c as { daysLeft?: unknown } | null)?.daysLeft;
      if (typeof days === 'number' && Number.isFinite(days)) {
        min = min === undefined ? days : Math.min(min, days);
      }
    }
  });
  return min;
}

/**
 * Per runbook and target entity, the latest TLS check: the newest target
 * that ended (succeeded or failed: a check fails on the certificates it is
 * about) of a run, not a dry run, whose runbook has a `tls` step. One ranked
 * query over the targets, then one per 500 distinct runs of the winners for
 * their runbooks (which steps are `tls` ones). `kind` as in lastSucceeded;
 * the caller filters the runbooks by permission.
 */
export async function latestTlsChecks(
  db: Knex,
  options: { kind?: string } = {},
): Promise<LatestTlsCheck[]> {
  const runs = db<RunRow>('runbooks_runs')
    .where('dry_run', false)
    .where(hasTlsStepSql(db))
    .select('id', 'runbook_ref');
  let ranked = db
    .from('runbooks_targets as t')
    .join('tls_runs as r', 'r.id', 't.run_id')
    .whereIn('t.status', ['succeeded', 'failed'])
    .whereNotNull('t.finished_at')
    .select(
      'r.runbook_ref',
      't.entity_ref',
      't.run_id',
      't.finished_at',
      't.steps',
      db.raw(
        `ROW_NUMBER() OVER (PARTITION BY r.runbook_ref, t.entity_ref
          ORDER BY t.finished_at DESC, t.id DESC) AS n`,
      ),
    );
  if (options.kind) {
    ranked = ranked.where('t.entity_ref', 'like', `${options.kind}:%`);
  }
  const rows = (await db
    .withMaterialized('tls_runs', runs)
    .with('ranked', ranked)
    .from('ranked')
    .where('n', 1)
    .select('runbook_ref', 'entity_ref', 'run_id', 'finished_at', 'steps')) as {
    runbook_ref: string;
    entity_ref: string;
    run_id: string;
    finished_at: DbBigInt;
    steps: TargetRow['steps'];
  }[];

  const tlsPositions = new Map<string, Set<number>>();
  const runIds = [...new Set(rows.map(r => r.run_id))];
  for (const ids of chunks(runIds, 500)) {
    const definitions = await db<RunRow>('runbooks_runs')
      .whereIn('id', ids)
      .select('id', 'runbook');
    for (const d of definitions) {
      const steps =
        parseJson<{ spec?: { steps?: { executor?: string }[] } }>(d.runbook)
          ?.spec?.steps ?? [];
      tlsPositions.set(
        d.id,
        new Set(
          steps.flatMap((s, i) => (s?.executor === TLS_EXECUTOR ? [i] : [])),
        ),
      );
    }
  }
  return rows.map(r => ({
    runbookRef: r.runbook_ref,
    entityRef: r.entity_ref,
    runId: r.run_id,
    finishedAt: Number(r.finished_at),
    minDaysLeft: minDaysLeft(
      parseJson<(StoredStep | null)[]>(r.steps) ?? [],
      tlsPositions.get(r.run_id) ?? new Set(),
    ),
  }));
}
