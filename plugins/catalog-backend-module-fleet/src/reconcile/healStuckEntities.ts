import { Knex } from 'knex';
import { ANNOTATION_INVENTORY_HASH } from '../inventory/contentHash';

/** What the catalog's tables say about entities a provider emitted but the catalog does not serve. */
export interface MissingEntities {
  /** Processed, with a result hash, but never stitched and not queued: reset so they stitch again. */
  healed: string[];
  /**
   * In the stitch queue under a stitcher's claim older than
   * CLAIM_OUTLIVED_MS: the backend that claimed them stopped while stitching,
   * and the catalog would wait out the rest of its stitch timeout (60 s by
   * default) before another stitcher took them. Released: due to stitch now.
   */
  released: string[];
  /** Processing failed (errors recorded): the entity's status shows why; nothing to heal. */
  failing: string[];
  /**
   * Not processed yet, due for processing (e.g. new content the provider
   * just emitted), or waiting in the stitch queue (and not under an
   * outlived claim): the catalog is still at work.
   */
  pending: string[];
}

const CHUNK = 500;

/**
 * A stitcher's claim this old has outlived its stitch: a batch of stitches
 * takes well under a second, a stitch seen claimed longer was left by a
 * backend that stopped. (Were that stitcher alive, stitching again is what
 * the catalog does on any race: its tickets make it harmless.)
 */
export const CLAIM_OUTLIVED_MS = 10_000;

/** The catalog's default `catalog.stitchingStrategy.stitchTimeout`. */
export const DEFAULT_STITCH_TIMEOUT_MS = 60_000;

/** `seconds` from now, as the catalog writes its timestamps. */
function nowPlus(knex: Knex, seconds: number) {
  const client = String(knex.client.config.client);
  if (client.includes('sqlite3'))
    return knex.raw(`datetime('now', ?)`, [`${seconds} seconds`]);
  if (client.includes('mysql'))
    return knex.raw(`now() + interval ${Number(seconds)} second`);
  return knex.raw(`now() + make_interval(secs => ?)`, [seconds]);
}

/**
 * Looks up entities the catalog does not serve and makes the stuck ones
 * processed and stitched again.
 *
 * The catalog's processing loop commits an entity's processed result and its
 * result hash in one transaction, and queues it for stitching
 * (`stitch_queue`) in a later statement. A backend killed between the two
 * leaves a `refresh_state` row with a processed entity and a hash, but no
 * `final_entities` row and nothing queued. Every later processing round
 * computes the same hash and stops before queueing, so the entity is never
 * served. Clearing the result hash (and the stitched hash, for entities that
 * lost only their search rows) makes the next round process and stitch it.
 *
 * An entity due for processing (`next_update_at` passed) is never stuck:
 * that is every entity whose content the provider has just changed, until
 * the processing loop reaches it, which on a busy catalog with thousands of
 * changes takes minutes. Healing those too only added work (their stitched
 * row reset and stitched again) and held the healing count above zero.
 */
export async function healStuckEntities(
  knex: Knex,
  refs: string[],
  confirm: (entityId: string, resultHash: string) => boolean = () => true,
  stitchTimeoutMs = DEFAULT_STITCH_TIMEOUT_MS,
): Promise<MissingEntities> {
  // A claim sets next_stitch_at a stitch timeout ahead: one due later than
  // (timeout - CLAIM_OUTLIVED_MS) from now was claimed less than that ago.
  const outlived = nowPlus(knex, (stitchTimeoutMs - CLAIM_OUTLIVED_MS) / 1000);
  const out: MissingEntities = {
    healed: [],
    released: [],
    failing: [],
    pending: [],
  };
  for (let i = 0; i < refs.length; i += CHUNK) {
    const chunk = refs.slice(i, i + CHUNK);
    const rows: Array<{
      entity_id: string;
      entity_ref: string;
      processed: number | string | boolean;
      result_hash: string | null;
      errors: string | null;
      ticket: string | null;
      outlived: number | string | boolean;
      due: number | string | boolean;
    }> = await knex('refresh_state as r')
      .leftJoin('stitch_queue as q', 'q.entity_ref', 'r.entity_ref')
      .whereIn('r.entity_ref', chunk)
      .select(
        'r.entity_id',
        'r.entity_ref',
        'r.result_hash',
        'r.errors',
        'q.stitch_ticket as ticket',
        knex.raw(
          'case when r.processed_entity is null then 0 else 1 end as processed',
        ),
        knex.raw(
          'case when q.next_stitch_at > ? and q.next_stitch_at <= ? then 1 else 0 end as outlived',
          [knex.fn.now(), outlived],
        ),
        knex.raw('case when r.next_update_at <= ? then 1 else 0 end as due', [
          knex.fn.now(),
        ]),
      );
    const stuck: typeof rows = [];
    const held: typeof rows = [];
    for (const row of rows) {
      const failed = !!row.errors && row.errors !== '[]';
      if (failed) out.failing.push(row.entity_ref);
      else if (row.ticket !== null && row.ticket !== undefined) {
        if (Number(row.outlived)) held.push(row);
        else out.pending.push(row.entity_ref);
      } else if (
        Number(row.processed) &&
        row.result_hash &&
        !Number(row.due) &&
        confirm(row.entity_id, row.result_hash)
      )
        stuck.push(row);
      else out.pending.push(row.entity_ref);
    }
    // Refs without a refresh_state row are not in the catalog at all: the
    // provider's next full mutation brings them; count them as pending.
    const known = new Set(rows.map(r => r.entity_ref));
    out.pending.push(...chunk.filter(ref => !known.has(ref)));
    for (const row of held) {
      // only the claim seen: a new request since (a new ticket) is due now
      const released = await knex('stitch_queue')
        .where({ entity_ref: row.entity_ref, stitch_ticket: row.ticket })
        .where('next_stitch_at', '>', knex.fn.now())
        .update({ next_stitch_at: knex.fn.now() });
      (released ? out.released : out.pending).push(row.entity_ref);
    }
    if (!stuck.length) continue;
    const ids = stuck.map(r => r.entity_id);
    await knex.transaction(async tx => {
      await tx('final_entities').whereIn('entity_id', ids).update({ hash: '' });
      await tx('refresh_state')
        .whereIn('entity_id', ids)
        .update({ result_hash: '', next_update_at: tx.fn.now() });
    });
    out.healed.push(...stuck.map(r => r.entity_ref));
  }
  return out;
}

/**
 * Stuck only if seen stuck, with the same result hash, this long ago or more.
 * The caller passes only entities not served with the content last emitted,
 * so an entity stitched between the two looks is not passed the second time.
 * The gap it guards is the catalog's own, between committing a processed
 * entity and queueing its stitch (one statement later); entities waiting to
 * be processed are never suspects (see healStuckEntities), so 10 s is ample.
 * Every second here is a second a healed cluster is missing after a crash
 * (at 30 s, the 10,000-cluster kill benchmark converged in up to 121 s).
 */
export const CONFIRM_STUCK_AFTER_MS = 10_000;

/**
 * The heal the module uses: an entity is reset only when two looks at least
 * CONFIRM_STUCK_AFTER_MS apart found it processed, unqueued and unstitched
 * with the same result hash. A single look cannot tell a stuck entity from
 * one whose processing committed a moment ago and whose stitch request is
 * on its way (the catalog queues it in the next statement).
 */
export function createStuckEntityHealer(
  getKnex: () => Promise<Knex>,
  {
    confirmAfterMs = CONFIRM_STUCK_AFTER_MS,
    stitchTimeoutMs = DEFAULT_STITCH_TIMEOUT_MS,
  }: { confirmAfterMs?: number; stitchTimeoutMs?: number } = {},
) {
  const suspects = new Map<string, { hash: string; since: number }>();
  return async (refs: string[]): Promise<MissingEntities> => {
    const now = Date.now();
    for (const [id, s] of suspects) {
      if (now - s.since > 3_600_000) suspects.delete(id);
    }
    return healStuckEntities(
      await getKnex(),
      refs,
      (id, hash) => {
        const seen = suspects.get(id);
        if (seen && seen.hash === hash && now - seen.since >= confirmAfterMs) {
          suspects.delete(id);
          return true;
        }
        if (!seen || seen.hash !== hash) suspects.set(id, { hash, since: now });
        return false;
      },
      stitchTimeoutMs,
    );
  };
}

/**
 * The entities emitted under `locationKey` that a `kind=Cluster` query
 * serves, with the content hash each is served with, read in one query from
 * the tables that query reads (a stitched `final_entities` row and its
 * `kind` search row). Streaming every cluster through the catalog API answers
 * the same, at several times the cost (see bench/workloads/fleet-reconcile.mjs).
 */
export async function servedClusterRefs(
  knex: Knex,
  locationKey: string,
): Promise<Map<string, string | undefined>> {
  const rows: { entity_ref: string; hash: string | null }[] = await knex(
    'refresh_state as r',
  )
    .join('final_entities as f', 'f.entity_id', 'r.entity_id')
    .leftJoin('search as h', function hashRow() {
      this.on('h.entity_id', '=', 'r.entity_id').andOn(
        'h.key',
        '=',
        knex.raw('?', [`metadata.annotations.${ANNOTATION_INVENTORY_HASH}`]),
      );
    })
    .where('r.location_key', locationKey)
    .whereNotNull('f.final_entity')
    .whereExists(
      knex('search as s')
        .select(knex.raw('1'))
        .whereRaw('s.entity_id = r.entity_id')
        .where({ 's.key': 'kind', 's.value': 'cluster' }),
    )
    .select('r.entity_ref', 'h.value as hash');
  return new Map(rows.map(r => [r.entity_ref, r.hash ?? undefined]));
}
