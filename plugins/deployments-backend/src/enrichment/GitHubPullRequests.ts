import { LoggerService } from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { PullRequestStore } from '../database/PullRequestStore';
import { Repository } from '@fleetdeck/fleetdeck-node';

const DAY = 24 * 60 * 60_000;

interface Job {
  repo: Repository;
  number: number;
}

/**
 * Adds titles, authors and links of GitHub pull requests to the PR numbers
 * found in commits. Work is queued when a range is computed (that is, when a
 * SHA moves) and done in the background, never for a page view. Refreshes are
 * conditional (`If-None-Match` with the stored ETag, which GitHub does not
 * count against the rate limit when it answers 304), and rate limits are
 * honoured by pausing the queue until GitHub's reset time.
 */
export class GitHubPullRequests {
  private readonly queue: Job[] = [];
  private readonly queued = new Set<string>();
  private running?: Promise<void>;
  private pausedUntil = 0;

  constructor(
    private readonly options: {
      integrations: ScmIntegrations;
      store: PullRequestStore;
      logger: LoggerService;
      /** How old stored details may get before a conditional refresh. */
      refreshAfterMs?: number;
      maxRetries?: number;
      /** Longest pause for a rate limit. */
      maxPauseMs?: number;
      sleep?: (ms: number) => Promise<void>;
      now?: () => number;
    },
  ) {}

  /** Queues the numbers that are unknown or stale; returns how many were queued. */
  async enqueue(repo: Repository, numbers: number[]): Promise<number> {
    if (!repo.github || numbers.length === 0) return 0;
    const now = this.now();
    const known = await this.options.store.get(repo.key, numbers);
    let added = 0;
    for (const number of numbers) {
      const stored = known.get(number);
      if (
        stored &&
        now - stored.fetchedAt < (this.options.refreshAfterMs ?? DAY)
      )
        continue;
      const id = `${repo.key}#${number}`;
      if (this.queued.has(id)) continue;
      this.queued.add(id);
      this.queue.push({ repo, number });
      added++;
    }
    if (added) this.kick();
    return added;
  }

  /** Resolves when the queue is empty (for tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick() {
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = undefined;
      });
    }
  }

  private async drain() {
    while (this.queue.length) {
      const wait = this.pausedUntil - this.now();
      if (wait > 0) await this.sleep(wait);
      const job = this.queue.shift()!;
      this.queued.delete(`${job.repo.key}#${job.number}`);
      try {
        await this.fetchOne(job);
      } catch (e) {
        this.options.logger.warn(
          `Could not fetch ${job.repo.github?.owner}/${job.repo.github?.repo}#${job.number}: ${e}`,
        );
      }
    }
  }

  private async fetchOne(job: Job, attempt = 0): Promise<void> {
    const { owner, repo, host } = job.repo.github!;
    const integration = this.options.integrations.github.byHost(host);
    const octokit = new Octokit({
      baseUrl: integration?.config.apiBaseUrl ?? 'https://api.github.com',
      auth: integration?.config.token,
      request: { retries: 0 },
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const stored = (
      await this.options.store.get(job.repo.key, [job.number])
    ).get(job.number);
    try {
      const res = await octokit.request(
        'GET /repos/{owner}/{repo}/pulls/{pull_number}',
        {
          owner,
          repo,
          pull_number: job.number,
          headers: stored?.etag ? { 'if-none-match': stored.etag } : {},
        },
      );
      const pr = res.data;
      await this.options.store.put(job.repo.key, {
        number: job.number,
        state: pr.merged_at ? 'merged' : pr.state,
        title: pr.title,
        author: pr.user?.login,
        url: pr.html_url,
        etag: res.headers.etag,
        fetchedAt: this.now(),
      });
    } catch (e: any) {
      const status = e?.status;
      const headers = e?.response?.headers ?? {};
      if (status === 304) {
        await this.options.store.touch(job.repo.key, job.number, this.now());
        return;
      }
      if (status === 404) {
        await this.options.store.put(job.repo.key, {
          number: job.number,
          state: 'missing',
          fetchedAt: this.now(),
        });
        return;
      }
      const rateLimited =
        status === 429 ||
        (status === 403 &&
          (headers['x-ratelimit-remaining'] === '0' ||
            headers['retry-after'] !== undefined));
      const retriable =
        rateLimited || (status >= 500 && status < 600) || status === undefined;
      if (!retriable || attempt >= (this.options.maxRetries ?? 5)) throw e;
      let delay = Math.min(60_000, 1000 * 2 ** attempt);
      if (headers['retry-after'] !== undefined) {
        delay = Number(headers['retry-after']) * 1000;
      } else if (
        headers['x-ratelimit-remaining'] === '0' &&
        headers['x-ratelimit-reset']
      ) {
        delay = Number(headers['x-ratelimit-reset']) * 1000 - this.now();
      }
      delay = Math.max(
        0,
        Math.min(delay, this.options.maxPauseMs ?? 60 * 60_000),
      );
      if (rateLimited) {
        this.pausedUntil = this.now() + delay;
        this.options.logger.warn(
          `GitHub rate limit reached on ${host}; pausing pull request enrichment for ${Math.round(
            delay / 1000,
          )}s`,
        );
      }
      await this.sleep(delay);
      await this.fetchOne(job, attempt + 1);
    }
  }

  private now() {
    return (this.options.now ?? Date.now)();
  }

  private sleep(ms: number) {
    return (this.options.sleep ?? (t => new Promise(r => setTimeout(r, t))))(
      ms,
    );
  }
}
