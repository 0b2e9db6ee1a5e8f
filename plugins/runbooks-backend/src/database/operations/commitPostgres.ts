import { Knex } from 'knex';
import { randomUUID } from 'crypto';
import { CLAIMED_COLUMNS, toClaimed } from '../mappers';
import { POSTGRES_NOW_MS, prepareStatement, queryPrepared } from '../sql';
import { ClaimedTargetRow } from '../tables';
import { ClaimedTarget, ClaimOptions, Completion, HandOff } from '../types';
import { claimPending } from './claimTargets';
import { completionLines } from './completionLines';

const COLUMNS = CLAIMED_COLUMNS.join(', ');
const CHANGED_AT = POSTGRES_NOW_MS;

/**
 * The write and hand-off of a commit as one statement. Each CTE is a step:
 *
 * - `input`: the completions (`:completions`, a JSON array).
 * - `held`: updates the targets whose claim is still held (status, steps,
 *   error, heartbeat); the rows it returns are the held ones, `finish` set
 *   for those that ended.
 * - `logged`: inserts the log lines (`:lines`) of held targets only, in
 *   their order (`seq`).
 * - `wanted`: per hand-off run (`:handOff`: ord, run_id, max), as many slots
 *   as its held ends freed, at most `max`.
 * - `capped`: the slots in hand-off order until `:limit` (the worker's free
 *   slots) runs out.
 * - `picked` and `claimed`: that many pending targets per run in position
 *   order, `FOR UPDATE SKIP LOCKED` so commits in flight at once take
 *   different targets instead of waiting for each other.
 *
 * The rows `held` and `claimed` update are disjoint (the first are
 * `running`, the second `pending`); the result lists both, told apart by
 * `kind`. Casts are written `CAST(x AS t)`: `:name` is a binding. It runs
 * as a prepared statement, parsed and planned once per connection: the
 * statement is long, and knex's formatting plus the server's parsing and
 * planning of it on every commit were a sizeable share of a commit's cost.
 */
const POSTGRES_COMMIT = `
  WITH input AS (
    SELECT * FROM json_to_recordset(CAST(:completions AS json)) AS x(
      target_id text, claim_id text, status text, error text, steps text)
  ),
  held AS (
    UPDATE runbooks_targets AS t SET
      status = coalesce(i.status, t.status),
      finished_at = CASE WHEN i.status IS NULL
        THEN t.finished_at ELSE CAST(:now AS bigint) END,
      error = CASE WHEN i.status IS NULL THEN t.error ELSE i.error END,
      steps = coalesce(i.steps, t.steps),
      heartbeat_at = CAST(:now AS bigint),
      changed_at = CASE WHEN i.status IS NULL
        THEN t.changed_at ELSE ${CHANGED_AT} END
    FROM input AS i
    WHERE t.id = i.target_id AND t.claim_id = i.claim_id
      AND t.status = 'running'
    RETURNING t.id, t.run_id, i.status AS finish
  ),
  logged AS (
    INSERT INTO runbooks_logs
      (run_id, target_id, step_id, level, message, created_at)
    SELECT l.run_id, l.target_id, l.step_id, l.level, l.message, l.created_at
    FROM json_to_recordset(CAST(:lines AS json)) AS l(seq int, run_id text,
      target_id text, step_id text, level text, message text,
      created_at bigint)
    JOIN held ON held.id = l.target_id
    ORDER BY l.seq
  ),
  wanted AS (
    SELECT h.ord, h.run_id, CAST(least(h.max, count(*)) AS int) AS n
    FROM json_to_recordset(CAST(:handOff AS json)) AS h(
      ord int, run_id text, max int)
    JOIN held ON held.run_id = h.run_id AND held.finish IS NOT NULL
    GROUP BY h.ord, h.run_id, h.max
  ),
  capped AS (
    SELECT run_id, CAST(greatest(0, least(n, CAST(:limit AS int) - coalesce(
      sum(n) OVER (ORDER BY ord
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS int) AS n
    FROM wanted
  ),
  picked AS (
    SELECT p.id FROM capped AS c CROSS JOIN LATERAL (
      SELECT id FROM runbooks_targets
      WHERE run_id = c.run_id AND status = 'pending'
      ORDER BY position LIMIT c.n
      FOR UPDATE SKIP LOCKED
    ) AS p
  ),
  claimed AS (
    UPDATE runbooks_targets SET
      status = 'running', claim_id = :claimId, claimed_by = :workerId,
      heartbeat_at = CAST(:now AS bigint),
      started_at = coalesce(started_at, CAST(:now AS bigint)),
      claims = claims + 1,
      changed_at = ${CHANGED_AT}
    WHERE id IN (SELECT id FROM picked) AND status = 'pending'
    RETURNING ${COLUMNS}
  )
  SELECT 'held' AS kind, id, NULL AS run_id, CAST(NULL AS int) AS position,
    NULL AS entity_ref, NULL AS entity, CAST(NULL AS int) AS claims,
    NULL AS steps
  FROM held
  UNION ALL
  SELECT 'claimed', ${COLUMNS} FROM claimed`;

const PREPARED_COMMIT = prepareStatement('runbooks_commit', POSTGRES_COMMIT);

type CommitRow = ClaimedTargetRow & { kind: 'held' | 'claimed' };

/** The statement's named bindings for a batch. */
function bindings(
  completions: Completion[],
  claim: ClaimOptions | undefined,
  claimId: string,
  now: number,
): Record<string, unknown> {
  const lines = completions.flatMap(c => completionLines(c, now));
  return {
    completions: JSON.stringify(
      completions.map(c => ({
        target_id: c.claim.targetId,
        claim_id: c.claim.claimId,
        status: c.finish?.status ?? null,
        error: c.finish?.error ?? null,
        steps: c.steps ? JSON.stringify(c.steps) : null,
      })),
    ),
    lines: JSON.stringify(
      lines.map((l, seq) => ({
        seq,
        run_id: l.runId,
        target_id: l.targetId ?? null,
        step_id: l.stepId ?? null,
        level: l.level,
        message: l.message,
        created_at: l.createdAt ?? now,
      })),
    ),
    handOff: JSON.stringify(
      (claim?.handOff ?? []).map((r, ord) => ({
        ord,
        run_id: r.runId,
        max: r.max,
      })),
    ),
    limit: claim?.limit ?? 0,
    claimId,
    workerId: claim?.workerId ?? '',
    now,
  };
}

/**
 * `RunStore.commit` on PostgreSQL. The writes and the hand-off claims are
 * {@link POSTGRES_COMMIT}, one statement: the usual case costs one round
 * trip and needs no explicit transaction (a statement is atomic). When the
 * worker asked to search for more work and the hand-off left slots free,
 * the search (which locks and counts run rows) follows in a transaction of
 * its own: most searches find the hand-off already filled every slot, and
 * then cost nothing. The two need not be atomic: each claim holds on its
 * own, and a worker that dies between them loses no write.
 */
export async function commitPostgres(
  db: Knex,
  completions: Completion[],
  claim: ClaimOptions | undefined,
  now: number,
): Promise<{
  held: boolean[];
  claimed: ClaimedTarget[];
  searchError?: unknown;
  contended?: boolean;
}> {
  const claimId = randomUUID();
  const runs = new Map<string, HandOff>(
    (claim?.handOff ?? []).map(r => [r.runId, r]),
  );
  const rows =
    completions.length > 0
      ? await queryPrepared<CommitRow>(
          db,
          PREPARED_COMMIT,
          bindings(completions, claim, claimId, now),
        )
      : [];
  const heldIds = new Set<string>();
  const claimed: ClaimedTarget[] = [];
  for (const row of rows) {
    if (row.kind === 'held') heldIds.add(row.id);
    else claimed.push(toClaimed(row, claimId, runs.get(row.run_id)!));
  }
  const held = completions.map(c => heldIds.has(c.claim.targetId));
  let searchError: unknown;
  let contended = false;
  if (claim?.search && claim.limit > claimed.length) {
    const limit = claim.limit - claimed.length;
    try {
      const found = await db.transaction(tx =>
        claimPending(tx, { ...claim, limit }, now),
      );
      claimed.push(...found.claimed);
      contended = found.contended;
    } catch (e) {
      // the writes are committed and must be reported as such (their
      // targets ended or moved on); the worker's next poll searches again
      if (completions.length === 0) throw e;
      searchError = e;
    }
  }
  return { held, claimed, searchError, contended };
}
