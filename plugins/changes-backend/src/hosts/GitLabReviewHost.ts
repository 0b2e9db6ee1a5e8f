import { retryAfterMs, resetMs, retryRateLimited } from './rateLimit';
import { redact, ReviewHostError } from './ReviewHostError';
import {
  HostRepository,
  PullRequestRef,
  PullRequestStatus,
  ReviewHost,
  ReviewHostOptions,
} from './types';

type GitLab = NonNullable<HostRepository['gitlab']>;

/** A GitLab answer other than 2xx or 304. */
class GitLabFailure extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: unknown,
  ) {
    super(gitlabMessage(body) ?? `HTTP ${status}`);
  }
}

/** GitLab's `message` (a string, a list, or field errors) or `error`. */
function gitlabMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const { message, error } = body as { message?: unknown; error?: unknown };
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'object' && message !== null) {
    return Object.entries(message)
      .map(
        ([field, errors]) =>
          `${field} ${([] as unknown[]).concat(errors).join(', ')}`,
      )
      .join('; ');
  }
  return typeof error === 'string' ? error : undefined;
}

/** How long until GitLab's Rack::Attack lets requests through again. */
function rateLimitWait(e: unknown): number | undefined {
  if (!(e instanceof GitLabFailure) || e.status !== 429) return undefined;
  return (
    retryAfterMs(e.headers.get('retry-after') ?? undefined) ??
    resetMs(e.headers.get('ratelimit-reset') ?? undefined) ??
    60_000
  );
}

interface MergeRequest {
  iid: number;
  web_url: string;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  sha: string;
  head_pipeline?: { status: string } | null;
}

/** A pipeline's status as a checks state; undefined without a pipeline. */
function checksOf(
  pipeline: MergeRequest['head_pipeline'],
): PullRequestStatus['checks'] {
  if (!pipeline) return undefined;
  if (['success', 'skipped'].includes(pipeline.status)) return 'passing';
  if (['failed', 'canceled'].includes(pipeline.status)) return 'failing';
  return 'pending';
}

/** Merge requests on GitLab, through its REST API v4. */
export class GitLabReviewHost implements ReviewHost {
  constructor(private readonly options: ReviewHostOptions = {}) {}

  async openPullRequest(
    repo: HostRepository,
    input: { base: string; head: string; title: string; body: string },
  ): Promise<PullRequestRef> {
    const gl = this.gitlab(repo);
    return this.call(gl, 'open a merge request in', async () => {
      try {
        const mr = await this.request<MergeRequest>(
          gl,
          'POST',
          'merge_requests',
          {
            body: {
              source_branch: input.head,
              target_branch: input.base,
              title: input.title,
              description: input.body,
            },
          },
        );
        return { number: mr.iid, url: mr.web_url };
      } catch (e) {
        if (!(e instanceof GitLabFailure) || e.status !== 409) throw e;
        // Opened by an earlier attempt: that one is the answer.
        const query = new URLSearchParams({
          source_branch: input.head,
          target_branch: input.base,
          state: 'opened',
        });
        const [mr] = await this.request<MergeRequest[]>(
          gl,
          'GET',
          `merge_requests?${query}`,
        );
        if (!mr) throw e;
        return { number: mr.iid, url: mr.web_url };
      }
    });
  }

  async readPullRequest(
    repo: HostRepository,
    pr: PullRequestRef,
    etag?: string,
  ): Promise<PullRequestStatus | undefined> {
    const gl = this.gitlab(repo);
    const iid = this.iid(pr);
    return this.call(gl, `read merge request !${iid} of`, async () => {
      const answer = await this.request<MergeRequest>(
        gl,
        'GET',
        `merge_requests/${iid}`,
        { etag },
      );
      if (answer === undefined) return undefined;
      const mr = answer as MergeRequest & { etag?: string };
      return {
        state:
          mr.state === 'merged' || mr.state === 'closed' ? mr.state : 'open',
        checks: checksOf(mr.head_pipeline),
        headSha: mr.sha,
        etag: mr.etag,
      };
    });
  }

  async closePullRequest(
    repo: HostRepository,
    pr: PullRequestRef,
  ): Promise<void> {
    const gl = this.gitlab(repo);
    const iid = this.iid(pr);
    await this.call(gl, `close merge request !${iid} of`, () =>
      this.request(gl, 'PUT', `merge_requests/${iid}`, {
        body: { state_event: 'close' },
      }),
    );
  }

  private gitlab(repo: HostRepository): GitLab {
    if (!repo.gitlab) {
      throw new ReviewHostError(`${repo.url} is not a GitLab project`);
    }
    return repo.gitlab;
  }

  private iid(pr: PullRequestRef): number {
    if (pr.number === undefined) {
      throw new ReviewHostError(`${pr.url} is not a GitLab merge request`);
    }
    return pr.number;
  }

  /**
   * One API call under `/projects/:id/`, retried through rate limits. With
   * `etag`, undefined when unchanged (304); a JSON object answer carries its
   * own ETag as `etag`.
   */
  private request<T>(
    gl: GitLab,
    method: string,
    path: string,
    options: { body?: Record<string, string>; etag?: string } = {},
  ): Promise<T> {
    const url = `${gl.apiBaseUrl}/projects/${encodeURIComponent(
      gl.projectPath,
    )}/${path}`;
    return retryRateLimited(
      async () => {
        const res = await fetch(url, {
          method,
          headers: {
            accept: 'application/json',
            ...(gl.token ? { 'private-token': gl.token } : {}),
            ...(options.body ? { 'content-type': 'application/json' } : {}),
            ...(options.etag ? { 'if-none-match': options.etag } : {}),
          },
          body: options.body && JSON.stringify(options.body),
          signal: this.options.signal,
        });
        if (res.status === 304 && options.etag) return undefined as T;
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Rack::Attack and proxies answer in plain text.
        }
        if (!res.ok) throw new GitLabFailure(res.status, res.headers, body);
        const etag = res.headers.get('etag');
        return (
          etag && body && typeof body === 'object' && !Array.isArray(body)
            ? { ...body, etag }
            : body
        ) as T;
      },
      rateLimitWait,
      this.options,
    );
  }

  /** Runs `work`; failures become ReviewHostErrors with GitLab's message. */
  private async call<T>(
    gl: GitLab,
    what: string,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof ReviewHostError) throw e;
      const where = `GitLab could not ${what} ${gl.projectPath}`;
      const message =
        e instanceof GitLabFailure
          ? `${where}: ${e.message} (HTTP ${e.status})`
          : `${where}: ${(e as Error).message}`;
      throw new ReviewHostError(
        redact(message, [gl.token]),
        e instanceof GitLabFailure ? e.status : undefined,
      );
    }
  }
}
