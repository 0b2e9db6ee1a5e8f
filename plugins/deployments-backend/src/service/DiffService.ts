import { NotFoundError } from '@backstage/errors';
import { MirrorManager, Repository } from '@fleetdeck/fleetdeck-node';
import {
  ChangedFile,
  DeploymentDiff,
  DiffCommit,
  DiffSummary,
} from '@fleetdeck/plugin-deployments-common';
import {
  CachedRange,
  CHUNK_SIZE,
  DiffCacheStore,
} from '../database/DiffCacheStore';
import { PullRequestStore } from '../database/PullRequestStore';
import { CommitLinker } from '../enrichment/CommitLinker';
import { GitHubPullRequests } from '../enrichment/GitHubPullRequests';
import { GitRange, RawCommit } from '../git/GitRange';

/** Most pull requests queued for enrichment per computed range. */
const MAX_PRS_PER_RANGE = 500;

/**
 * The diff engine: compares two commits of a repository's mirror with git,
 * caches the result in the database (valid forever, since both SHAs are
 * immutable), pages commit lists out of the cache, and enriches each page with
 * PR and ticket links. It never fetches: mirrors are brought up to date when
 * deployments arrive.
 */
export class DiffService {
  private readonly inFlight = new Map<string, Promise<CachedRange>>();
  private readonly chunkCache = new Map<string, RawCommit[]>();

  constructor(
    private readonly options: {
      mirrors: MirrorManager;
      cache: DiffCacheStore;
      pulls: PullRequestStore;
      linker: CommitLinker;
      github?: GitHubPullRequests;
      /** Longest commit list stored per side; counts stay exact beyond it. */
      maxCommits: number;
      chunkCacheSize?: number;
    },
  ) {}

  /** The cached summary, computing it first unless `cachedOnly`. */
  async summary(
    repo: Repository,
    base: string,
    head: string,
    options: { cachedOnly?: boolean } = {},
  ): Promise<DiffSummary | undefined> {
    const cached = await this.options.cache.get(repo.key, base, head);
    if (cached) return strip(cached);
    if (options.cachedOnly) return undefined;
    return strip(await this.range(repo, base, head));
  }

  /** A page of commits between base and head, enriched. */
  async diff(
    repo: Repository,
    base: string,
    head: string,
    options: {
      side?: 'ahead' | 'behind';
      offset?: number;
      limit?: number;
      files?: boolean;
    } = {},
  ): Promise<DeploymentDiff> {
    const range = await this.range(repo, base, head);
    const side = options.side ?? 'ahead';
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 100;
    const total = side === 'ahead' ? range.ahead : range.behind;
    const raw = await this.slice(range, side, offset, limit);
    const commits = await this.enrich(repo, raw, options.files ?? true);
    return {
      ...strip(range),
      side,
      commits,
      offset,
      limit,
      total,
      truncated: range.truncated,
      compareUrl: compareUrl(repo, base, head),
    };
  }

  /** Files changed over the range (from the merge base), cached. */
  async rangeFiles(
    repo: Repository,
    base: string,
    head: string,
  ): Promise<ChangedFile[]> {
    const range = await this.range(repo, base, head);
    const cached = await this.options.cache.getRangeFiles(range.id);
    if (cached) return cached;
    const files = await this.git(repo).rangeFiles(base, head);
    await this.options.cache.putRangeFiles(range.id, files);
    return files;
  }

  /** The cached range, computed with git on a miss (once, even when asked concurrently). */
  async range(
    repo: Repository,
    base: string,
    head: string,
  ): Promise<CachedRange> {
    const cached = await this.options.cache.get(repo.key, base, head);
    if (cached) return cached;
    const key = `${repo.key}:${base}:${head}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.compute(repo, base, head).finally(() =>
        this.inFlight.delete(key),
      );
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async compute(
    repo: Repository,
    base: string,
    head: string,
  ): Promise<CachedRange> {
    const git = this.git(repo);
    const max = this.options.maxCommits;
    let summary: DiffSummary;
    let ahead: RawCommit[] = [];
    let behind: RawCommit[] = [];
    // Usually head descends from base (an environment ahead of production):
    // then one `git log --boundary base..head` is the whole comparison. Only
    // otherwise (rollback, diverged, longer than the cap, missing commits)
    // does git count the range and list the other side.
    const listed =
      base === head
        ? undefined
        : await git
            .logWithBoundary(base, head, { maxCount: max })
            .catch(() => undefined); // when the commits are missing, summary says so
    if (
      listed &&
      listed.commits.length < max &&
      listed.boundary.includes(base)
    ) {
      summary = {
        base,
        head,
        status: 'ahead',
        ahead: listed.commits.length,
        behind: 0,
        mergeBase: base,
      };
      ahead = listed.commits;
    } else {
      // A complete list without base in its boundary means base has commits
      // head lacks: list them while git counts (the processes overlap).
      const behindLog =
        listed && listed.commits.length < max
          ? git.log(head, base, { maxCount: max })
          : undefined;
      behindLog?.catch(() => {}); // awaited below, or not needed
      summary = await git.summary(base, head);
      if (summary.ahead)
        ahead =
          listed?.commits ?? (await git.log(base, head, { maxCount: max }));
      if (summary.behind)
        behind = await (behindLog ?? git.log(head, base, { maxCount: max }));
    }
    for (const c of [...ahead, ...behind]) {
      if (c.body.length > 2000) c.body = c.body.slice(0, 2000);
    }
    let oldest: string | undefined;
    for (const c of ahead) {
      if (!oldest || c.authoredAt < oldest) oldest = c.authoredAt;
    }
    if (oldest) summary.oldestCommitAt = new Date(oldest).toISOString();
    const truncated =
      summary.ahead > ahead.length || summary.behind > behind.length;
    const inserted = await this.options.cache.put(
      repo.key,
      summary,
      { ahead, behind },
      truncated,
    );
    this.queuePullRequests(repo, ahead);
    const stored = (await this.options.cache.get(repo.key, base, head))!;
    if (inserted === stored.id) {
      // The first page is usually asked next: serve it from the commits just
      // stored rather than reading and parsing them back.
      for (const [side, list] of [
        ['ahead', ahead],
        ['behind', behind],
      ] as const) {
        if (list.length)
          this.remember(`${stored.id}:${side}:0`, list.slice(0, CHUNK_SIZE));
      }
    }
    return stored;
  }

  private queuePullRequests(repo: Repository, commits: RawCommit[]) {
    if (!this.options.github || !repo.github) return;
    const numbers = new Set<number>();
    for (const c of commits) {
      for (const n of this.options.linker.pullRequestNumbers(
        `${c.subject}\n${c.body}`,
      )) {
        if (numbers.size < MAX_PRS_PER_RANGE) numbers.add(n);
      }
    }
    this.options.github.enqueue(repo, [...numbers]).catch(() => {});
  }

  private async slice(
    range: CachedRange,
    side: 'ahead' | 'behind',
    offset: number,
    limit: number,
  ) {
    const out: RawCommit[] = [];
    const end = offset + limit;
    for (
      let chunk = Math.floor(offset / CHUNK_SIZE);
      chunk * CHUNK_SIZE < end;
      chunk++
    ) {
      const commits = await this.chunk(range.id, side, chunk);
      if (commits.length === 0) break;
      const from = Math.max(0, offset - chunk * CHUNK_SIZE);
      const to = Math.min(commits.length, end - chunk * CHUNK_SIZE);
      out.push(...commits.slice(from, to));
    }
    return out;
  }

  /** Chunks are immutable, so a small in-process cache in front of the table is always right. */
  private async chunk(
    rangeId: number,
    side: 'ahead' | 'behind',
    chunk: number,
  ) {
    const key = `${rangeId}:${side}:${chunk}`;
    const commits =
      this.chunkCache.get(key) ??
      (await this.options.cache.chunk(rangeId, side, chunk));
    this.remember(key, commits);
    return commits;
  }

  /** Puts a chunk in the in-process cache as the most recently used. */
  private remember(key: string, commits: RawCommit[]) {
    this.chunkCache.delete(key);
    this.chunkCache.set(key, commits);
    while (this.chunkCache.size > (this.options.chunkCacheSize ?? 64)) {
      this.chunkCache.delete(this.chunkCache.keys().next().value!);
    }
  }

  private async enrich(
    repo: Repository,
    raw: RawCommit[],
    withFiles: boolean,
  ): Promise<DiffCommit[]> {
    const { linker, pulls, cache } = this.options;
    const refs = raw.map(c => linker.references(repo, c.subject, c.body));
    const prNumbers = refs.flatMap(r =>
      r.filter(x => x.type === 'pull-request').map(x => Number(x.key.slice(1))),
    );
    const prs = repo.github ? await pulls.get(repo.key, prNumbers) : new Map();
    let files = new Map<string, ChangedFile[]>();
    if (withFiles && raw.length) {
      const shas = raw.map(c => c.sha);
      files = await cache.getCommitFiles(repo.key, shas);
      const missing = shas.filter(s => !files.has(s));
      if (missing.length) {
        const computed = await this.git(repo).commitFiles(missing);
        await cache.putCommitFiles(repo.key, computed);
        for (const [sha, f] of computed) files.set(sha, f);
      }
    }
    return raw.map((c, i) => ({
      sha: c.sha,
      parents: c.parents,
      authorName: c.authorName,
      authorEmail: c.authorEmail,
      authoredAt: c.authoredAt,
      subject: c.subject,
      isMerge: c.parents.length > 1,
      references: refs[i].map(r => {
        const pr =
          r.type === 'pull-request'
            ? prs.get(Number(r.key.slice(1)))
            : undefined;
        return pr && pr.state !== 'missing'
          ? {
              ...r,
              title: pr.title,
              author: pr.author,
              state: pr.state,
              url: pr.url ?? r.url,
            }
          : r;
      }),
      files: withFiles ? files.get(c.sha) ?? [] : undefined,
      url: commitUrl(repo, c.sha),
    }));
  }

  private git(repo: Repository) {
    if (!this.options.mirrors.exists(repo)) {
      throw new NotFoundError(
        `The repository ${repo.url} has not been mirrored yet; it is fetched when a deployment is recorded`,
      );
    }
    return new GitRange(this.options.mirrors.dir(repo));
  }
}

function strip(range: CachedRange): DiffSummary {
  const { id: _id, truncated: _t, ...summary } = range;
  return summary;
}

/** Link to a commit on the git host, where it has a web UI. */
export function commitUrl(repo: Repository, sha: string) {
  if (!repo.webUrl) return undefined;
  return repo.gitlab
    ? `${repo.webUrl}/-/commit/${sha}`
    : `${repo.webUrl}/commit/${sha}`;
}

function compareUrl(repo: Repository, base: string, head: string) {
  if (!repo.webUrl || !(repo.github || repo.gitlab)) return undefined;
  return repo.gitlab
    ? `${repo.webUrl}/-/compare/${base}...${head}`
    : `${repo.webUrl}/compare/${base}...${head}`;
}
