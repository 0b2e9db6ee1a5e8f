import {
  ChangedFile,
  DiffStatus,
  DiffSummary,
} from '@fleetdeck/plugin-deployments-common';
import { Knex } from 'knex';
import { RawCommit } from '../git/GitRange';

/** Commits per stored chunk: a page read touches one or two chunks. */
export const CHUNK_SIZE = 1000;

/** A cached range as stored. */
export interface CachedRange extends DiffSummary {
  id: number;
  truncated: boolean;
}

interface RangeRow {
  id: number;
  repo_key: string;
  base_sha: string;
  head_sha: string;
  status: string;
  ahead: number;
  behind: number;
  merge_base: string | null;
  oldest_commit_at: number | string | null;
  truncated: boolean | number;
  computed_at: number | string;
}

/** What {@link toRange} reads. */
const RANGE_COLUMNS = [
  'id',
  'repo_key',
  'base_sha',
  'head_sha',
  'status',
  'ahead',
  'behind',
  'merge_base',
  'oldest_commit_at',
  'truncated',
];

function toRange(row: RangeRow): CachedRange {
  return {
    id: Number(row.id),
    base: row.base_sha,
    head: row.head_sha,
    status: row.status as DiffStatus,
    ahead: Number(row.ahead),
    behind: Number(row.behind),
    mergeBase: row.merge_base ?? undefined,
    oldestCommitAt:
      row.oldest_commit_at === null
        ? undefined
        : new Date(Number(row.oldest_commit_at)).toISOString(),
    truncated: !!row.truncated,
  };
}

/**
 * The diff cache. A comparison of two SHAs never changes, so rows are keyed by
 * (repository, base, head) and stay valid: when an environment's SHA moves,
 * the page simply asks for a different key.
 */
export class DiffCacheStore {
  constructor(private readonly db: Knex) {}

  async get(
    repoKey: string,
    base: string,
    head: string,
  ): Promise<CachedRange | undefined> {
    const row: RangeRow | undefined = await this.db('deployments_diff_ranges')
      .select(RANGE_COLUMNS)
      .where({ repo_key: repoKey, base_sha: base, head_sha: head })
      .first();
    return row ? toRange(row) : undefined;
  }

  /** Cached ranges among the given pairs, in one query. */
  async getMany(
    pairs: Array<{ repoKey: string; base: string; head: string }>,
  ): Promise<Map<string, CachedRange>> {
    const result = new Map<string, CachedRange>();
    const heads = [...new Set(pairs.map(p => p.head))];
    for (let i = 0; i < heads.length; i += 500) {
      const rows: RangeRow[] = await this.db('deployments_diff_ranges')
        .select(RANGE_COLUMNS) // not the files, which can be long
        .whereIn('head_sha', heads.slice(i, i + 500));
      for (const row of rows) {
        result.set(
          `${row.repo_key}:${row.base_sha}:${row.head_sha}`,
          toRange(row),
        );
      }
    }
    return result;
  }

  /**
   * Stores a computed range and its commits; a concurrent writer's row wins.
   * Returns the new range's id, or undefined when the row was already there.
   */
  async put(
    repoKey: string,
    summary: DiffSummary,
    commits: { ahead: RawCommit[]; behind: RawCommit[] },
    truncated: boolean,
  ): Promise<number | undefined> {
    return await this.db.transaction(async tx => {
      const ids = await tx('deployments_diff_ranges')
        .insert({
          repo_key: repoKey,
          base_sha: summary.base,
          head_sha: summary.head,
          status: summary.status,
          ahead: summary.ahead,
          behind: summary.behind,
          merge_base: summary.mergeBase ?? null,
          oldest_commit_at: summary.oldestCommitAt
            ? Date.parse(summary.oldestCommitAt)
            : null,
          truncated,
          computed_at: Date.now(),
        })
        .onConflict(['repo_key', 'base_sha', 'head_sha'])
        .ignore()
        .returning('id');
      if (ids.length === 0) return undefined;
      const rangeId = Number(typeof ids[0] === 'object' ? ids[0].id : ids[0]);
      const rows = [];
      for (const side of ['ahead', 'behind'] as const) {
        const list = commits[side];
        for (let i = 0; i * CHUNK_SIZE < list.length; i++) {
          rows.push({
            range_id: rangeId,
            side,
            chunk: i,
            commits: JSON.stringify(
              list.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE),
            ),
          });
        }
      }
      for (let i = 0; i < rows.length; i += 20) {
        await tx('deployments_diff_chunks').insert(rows.slice(i, i + 20));
      }
      return rangeId;
    });
  }

  async chunk(
    rangeId: number,
    side: 'ahead' | 'behind',
    chunk: number,
  ): Promise<RawCommit[]> {
    const row = await this.db('deployments_diff_chunks')
      .where({ range_id: rangeId, side, chunk })
      .first();
    return row ? JSON.parse(row.commits) : [];
  }

  async getRangeFiles(rangeId: number): Promise<ChangedFile[] | undefined> {
    const row = await this.db('deployments_diff_ranges')
      .where({ id: rangeId })
      .select('files')
      .first();
    return row?.files ? JSON.parse(row.files) : undefined;
  }

  async putRangeFiles(rangeId: number, files: ChangedFile[]) {
    await this.db('deployments_diff_ranges')
      .where({ id: rangeId })
      .update({ files: JSON.stringify(files) });
  }

  async getCommitFiles(
    repoKey: string,
    shas: string[],
  ): Promise<Map<string, ChangedFile[]>> {
    const rows = shas.length
      ? await this.db('deployments_commit_files')
          .where({ repo_key: repoKey })
          .whereIn('sha', shas)
      : [];
    return new Map(rows.map(r => [r.sha, JSON.parse(r.files)]));
  }

  async putCommitFiles(repoKey: string, files: Map<string, ChangedFile[]>) {
    const rows = [...files].map(([sha, f]) => ({
      repo_key: repoKey,
      sha,
      files: JSON.stringify(f),
    }));
    for (let i = 0; i < rows.length; i += 100) {
      await this.db('deployments_commit_files')
        .insert(rows.slice(i, i + 100))
        .onConflict(['repo_key', 'sha'])
        .ignore();
    }
  }
}
