/** A repository as the review hosts see it: where it is and which API serves it. */
export interface HostRepository {
  url: string;
  webUrl?: string;
  defaultBranch?: string;
  github?: { apiBaseUrl: string; owner: string; repo: string; token?: string };
  gitlab?: { apiBaseUrl: string; projectPath: string; token?: string };
  /** For plain git servers: a URL template for comparing branches, e.g. https://git.example/{repo}/compare/{base}...{head} */
  compareUrl?: string;
}

/** A pull/merge request on its host (no number: a compare link on a plain git server). */
export interface PullRequestRef {
  number?: number;
  url: string;
}

/** What a pull/merge request's host says about it now. */
export interface PullRequestStatus {
  state: 'open' | 'merged' | 'closed';
  checks?: 'pending' | 'passing' | 'failing';
  headSha?: string;
  /** Opaque: hand it to the next `readPullRequest` to read only what changed. */
  etag?: string;
}

/** Opens, reads and closes pull/merge requests on one kind of host. */
export interface ReviewHost {
  /** Idempotent: if an open PR for `head` already exists (422 / 409 "already exists"), returns it. */
  openPullRequest(
    repo: HostRepository,
    input: { base: string; head: string; title: string; body: string },
  ): Promise<PullRequestRef>;
  /** With the etag of the last read: `undefined` when unchanged (304). */
  readPullRequest(
    repo: HostRepository,
    pr: PullRequestRef,
    etag?: string,
  ): Promise<PullRequestStatus | undefined>;
  closePullRequest(repo: HostRepository, pr: PullRequestRef): Promise<void>;
}

/** How a review host waits out rate limits. */
export interface ReviewHostOptions {
  /** The longest wait for a rate limit to reset before giving up; default 60 s. */
  maxRateLimitWaitMs?: number;
  /** Retries after rate-limit waits; default 3. */
  rateLimitRetries?: number;
  /** Aborts waits and requests (e.g. on shutdown). */
  signal?: AbortSignal;
}
