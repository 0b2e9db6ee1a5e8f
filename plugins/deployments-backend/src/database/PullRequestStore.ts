import { Knex } from 'knex';

/** A pull request as fetched from the git host. */
export interface PullRequestInfo {
  number: number;
  /** `open`, `closed`, `merged`, or `missing` when the number is no PR. */
  state: string;
  title?: string;
  author?: string;
  url?: string;
  etag?: string;
  fetchedAt: number;
}

/** Pull request details per repository, read on page views, written by the enrichment worker. */
export class PullRequestStore {
  constructor(private readonly db: Knex) {}

  async get(
    repoKey: string,
    numbers: number[],
  ): Promise<Map<number, PullRequestInfo>> {
    if (numbers.length === 0) return new Map();
    const rows = await this.db('deployments_pull_requests')
      .where({ repo_key: repoKey })
      .whereIn('number', [...new Set(numbers)]);
    return new Map(
      rows.map(r => [
        Number(r.number),
        {
          number: Number(r.number),
          state: r.state,
          title: r.title ?? undefined,
          author: r.author ?? undefined,
          url: r.url ?? undefined,
          etag: r.etag ?? undefined,
          fetchedAt: Number(r.fetched_at),
        },
      ]),
    );
  }

  async put(repoKey: string, pr: PullRequestInfo) {
    const row = {
      repo_key: repoKey,
      number: pr.number,
      state: pr.state,
      title: pr.title ?? null,
      author: pr.author ?? null,
      url: pr.url ?? null,
      etag: pr.etag ?? null,
      fetched_at: pr.fetchedAt,
    };
    await this.db('deployments_pull_requests')
      .insert(row)
      .onConflict(['repo_key', 'number'])
      .merge();
  }

  async touch(repoKey: string, number: number, fetchedAt: number) {
    await this.db('deployments_pull_requests')
      .where({ repo_key: repoKey, number })
      .update({ fetched_at: fetchedAt });
  }
}
