import { ChangeRepositoryState } from '@fleetdeck/plugin-changes-common';
import { Knex } from 'knex';
import { ChangeRow, RepositoryRow } from './rows';

/** A row a worker holds: enough to do the work without reading it again. */
export interface ClaimedRepository {
  changeId: string;
  entityRef: string;
  state: 'pending' | 'applying';
  repoUrl: string;
  webUrl?: string;
  baseSha?: string;
  commitSha?: string;
  attempts: number;
  appliedBy?: string;
}

export interface ClaimOptions {
  workerId: string;
  limit: number;
  staleBefore: number;
}

const ACTIVE: ChangeRepositoryState[] = ['pending', 'queued', 'applying'];

/**
 * Claims up to `limit` rows with work to do (preview or apply), keeping each
 * change's apply concurrency. A row whose claim's heartbeat is older than
 * `staleBefore` is taken over.
 */
export async function claimRepositories(
  db: Knex,
  options: ClaimOptions,
): Promise<ClaimedRepository[]> {
  if (options.limit <= 0) return [];
  const now = Date.now();
  const open = (q: Knex.QueryBuilder) =>
    q.whereNull('claimed_by').orWhere('heartbeat_at', '<', options.staleBefore);
  const candidates: RepositoryRow[] = await db('changes_repositories')
    .whereIn('state', ACTIVE)
    .andWhere(open)
    // rows a dead worker left half done first, then in the order they came
    .orderByRaw("case when state = 'applying' then 0 else 1 end")
    .orderBy([{ column: 'updated_at' }, { column: 'entity_ref' }])
    .limit(options.limit * 4);
  if (!candidates.length) return [];
  const changeIds = [...new Set(candidates.map(c => c.change_id))];
  const changes = await db<ChangeRow>('changes')
    .whereIn('id', changeIds)
    .select('id', 'concurrency');
  const busy = await db('changes_repositories')
    .whereIn('change_id', changeIds)
    .where('state', 'applying')
    .whereNotNull('claimed_by')
    .where('heartbeat_at', '>=', options.staleBefore)
    .groupBy('change_id')
    .select('change_id')
    .count({ n: '*' });
  const free = new Map<string, number>();
  for (const c of changes) free.set(c.id, c.concurrency);
  for (const b of busy as { change_id: string; n: number | string }[]) {
    free.set(b.change_id, (free.get(b.change_id) ?? 0) - Number(b.n));
  }
  const claimed: ClaimedRepository[] = [];
  for (const c of candidates) {
    if (claimed.length >= options.limit) break;
    const applying = c.state !== 'pending';
    if (applying && (free.get(c.change_id) ?? 0) <= 0) continue;
    const n = await db('changes_repositories')
      .where({
        change_id: c.change_id,
        entity_ref: c.entity_ref,
        state: c.state,
      })
      .andWhere(open)
      .update({
        state: applying ? 'applying' : 'pending',
        claimed_by: options.workerId,
        heartbeat_at: now,
        attempts: applying ? c.attempts + 1 : c.attempts,
        updated_at: now,
      });
    if (n !== 1) continue;
    if (applying) free.set(c.change_id, (free.get(c.change_id) ?? 0) - 1);
    claimed.push({
      changeId: c.change_id,
      entityRef: c.entity_ref,
      state: applying ? 'applying' : 'pending',
      repoUrl: c.repo_url,
      webUrl: c.web_url ?? undefined,
      baseSha: c.base_sha ?? undefined,
      commitSha: c.commit_sha ?? undefined,
      attempts: applying ? c.attempts + 1 : c.attempts,
      appliedBy: c.applied_by ?? undefined,
    });
  }
  if (claimed.length) {
    await db('changes')
      .whereIn('id', [...new Set(claimed.map(c => c.changeId))])
      .whereIn('state', ['ready', 'applied'])
      .update({ state: 'applying', updated_at: now });
  }
  return claimed;
}
