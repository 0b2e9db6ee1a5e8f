import { Octokit } from '@octokit/rest';
import { retryAfterMs, resetMs, retryRateLimited } from './rateLimit';
import { redact, ReviewHostError } from './ReviewHostError';
import {
  checksOf,
  decodeEtag,
  encodeEtag,
  ReadState,
  stateOf,
} from './githubReadState';
import {
  HostRepository,
  PullRequestRef,
  PullRequestStatus,
  ReviewHost,
  ReviewHostOptions,
} from './types';

type GitHub = NonNullable<HostRepository['github']>;

/** What Octokit throws for an HTTP answer other than 2xx. */
interface OctokitFailure {
  status: number;
  response?: { headers: Record<string, unknown>; data?: unknown };
}

function isOctokitFailure(e: unknown): e is OctokitFailure {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { status?: unknown }).status === 'number'
  );
}

const header = (e: OctokitFailure, name: string) => {
  const value = e.response?.headers[name];
  return value === undefined ? undefined : String(value);
};

/** How long until GitHub's primary or secondary rate limit lifts. */
function rateLimitWait(e: unknown): number | undefined {
  if (!isOctokitFailure(e) || (e.status !== 403 && e.status !== 429)) {
    return undefined;
  }
  const retryAfter = retryAfterMs(header(e, 'retry-after'));
  if (retryAfter !== undefined) return retryAfter;
  if (header(e, 'x-ratelimit-remaining') === '0') {
    return resetMs(header(e, 'x-ratelimit-reset'));
  }
  // A secondary limit without Retry-After: GitHub asks for at least a minute.
  return /secondary rate limit/i.test(githubMessage(e.response?.data) ?? '')
    ? 60_000
    : undefined;
}

/** GitHub's message, with the details of a `Validation Failed`. */
function githubMessage(data: unknown): string | undefined {
  if (typeof data === 'string') return data || undefined;
  if (typeof data !== 'object' || data === null) return undefined;
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const details = (Array.isArray(errors) ? errors : []).map(
    (e: { message?: string; field?: string; code?: string } | string) =>
      typeof e === 'string'
        ? e
        : e.message ?? [e.field, e.code].filter(Boolean).join(' '),
  );
  return [message, details.join('; ')].filter(Boolean).join(': ') || undefined;
}

const isNotModified = (e: unknown) => isOctokitFailure(e) && e.status === 304;

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

/** Pull requests on GitHub and GitHub Enterprise Server, through its REST API. */
export class GitHubReviewHost implements ReviewHost {
  constructor(private readonly options: ReviewHostOptions = {}) {}

  async openPullRequest(
    repo: HostRepository,
    input: { base: string; head: string; title: string; body: string },
  ): Promise<PullRequestRef> {
    const gh = this.github(repo);
    return this.call(gh, 'open a pull request in', async octokit => {
      try {
        const { data } = await this.limited(() =>
          octokit.pulls.create({ owner: gh.owner, repo: gh.repo, ...input }),
        );
        return { number: data.number, url: data.html_url };
      } catch (e) {
        const message = isOctokitFailure(e)
          ? githubMessage(e.response?.data)
          : '';
        if (
          !isOctokitFailure(e) ||
          e.status !== 422 ||
          !/already exists/i.test(message ?? '')
        ) {
          throw e;
        }
        // Opened by an earlier attempt: that one is the answer.
        const { data } = await this.limited(() =>
          octokit.pulls.list({
            owner: gh.owner,
            repo: gh.repo,
            head: `${gh.owner}:${input.head}`,
            base: input.base,
            state: 'open',
          }),
        );
        if (!data[0]) throw e;
        return { number: data[0].number, url: data[0].html_url };
      }
    });
  }

  async readPullRequest(
    repo: HostRepository,
    pr: PullRequestRef,
    etag?: string,
  ): Promise<PullRequestStatus | undefined> {
    const gh = this.github(repo);
    const number = this.number(pr);
    const last = decodeEtag(etag);
    return this.call(gh, `read pull request #${number} of`, async octokit => {
      const conditional = (tag: string | undefined) =>
        tag ? { headers: { 'if-none-match': tag } } : {};
      let now: Omit<ReadState, 'checksEtag'>;
      let pullChanged = true;
      try {
        const { data, headers } = await this.limited(() =>
          octokit.pulls.get({
            owner: gh.owner,
            repo: gh.repo,
            pull_number: number,
            ...conditional(last?.pullEtag),
          }),
        );
        now = {
          state: stateOf(data),
          sha: data.head.sha,
          pullEtag: headers.etag ?? '',
        };
      } catch (e) {
        if (!last || !isNotModified(e)) throw e;
        now = last;
        pullChanged = false;
      }
      const sameSha = last?.sha === now.sha;
      try {
        const { data, headers } = await this.limited(() =>
          octokit.checks.listForRef({
            owner: gh.owner,
            repo: gh.repo,
            ref: now.sha,
            per_page: 100,
            ...conditional(sameSha ? last?.checksEtag : undefined),
          }),
        );
        const checks = checksOf(data.check_runs);
        return {
          state: now.state,
          checks,
          headSha: now.sha,
          etag: encodeEtag({ ...now, checks, checksEtag: headers.etag ?? '' }),
        };
      } catch (e) {
        if (!last || !sameSha || !isNotModified(e)) throw e;
        if (!pullChanged) return undefined;
        const checks = last.checks;
        return {
          state: now.state,
          checks,
          headSha: now.sha,
          etag: encodeEtag({ ...now, checks, checksEtag: last.checksEtag }),
        };
      }
    });
  }

  async closePullRequest(
    repo: HostRepository,
    pr: PullRequestRef,
  ): Promise<void> {
    const gh = this.github(repo);
    const number = this.number(pr);
    await this.call(gh, `close pull request #${number} of`, octokit =>
      this.limited(() =>
        octokit.pulls.update({
          owner: gh.owner,
          repo: gh.repo,
          pull_number: number,
          state: 'closed',
        }),
      ),
    );
  }

  private github(repo: HostRepository): GitHub {
    if (!repo.github) {
      throw new ReviewHostError(`${repo.url} is not a GitHub repository`);
    }
    return repo.github;
  }

  private number(pr: PullRequestRef): number {
    if (pr.number === undefined) {
      throw new ReviewHostError(`${pr.url} is not a GitHub pull request`);
    }
    return pr.number;
  }

  private limited<T>(call: () => Promise<T>): Promise<T> {
    return retryRateLimited(call, rateLimitWait, this.options);
  }

  /** Runs `work` with a client for `gh`; failures become ReviewHostErrors. */
  private async call<T>(
    gh: GitHub,
    what: string,
    work: (octokit: Octokit) => Promise<T>,
  ): Promise<T> {
    const octokit = new Octokit({
      baseUrl: gh.apiBaseUrl,
      auth: gh.token,
      userAgent: 'fleetdeck-changes',
      log: QUIET,
      request: { signal: this.options.signal },
    });
    try {
      return await work(octokit);
    } catch (e) {
      if (e instanceof ReviewHostError) throw e;
      const where = `GitHub could not ${what} ${gh.owner}/${gh.repo}`;
      const message = isOctokitFailure(e)
        ? `${where}: ${githubMessage(e.response?.data) ?? 'no message'} (HTTP ${
            e.status
          })`
        : `${where}: ${(e as Error).message}`;
      throw new ReviewHostError(
        redact(message, [gh.token]),
        isOctokitFailure(e) ? e.status : undefined,
      );
    }
  }
}
