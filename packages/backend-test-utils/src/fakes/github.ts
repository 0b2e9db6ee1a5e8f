import {
  ApiAnswer,
  ApiError,
  ApiRequest,
  FakeForge,
  FakeForgeFailure,
} from './fakeForge';
import {
  defaultBranchOf,
  isAncestor,
  mergeBranches,
  resolveRef,
} from './gitRepos';
import {
  checkRunJson,
  FakeGitHubCheckRun,
  FakeGitHubPull,
  GitHubUrls,
  pullJson,
  repoJson,
} from './githubJson';

export type { FakeGitHubCheckRun, FakeGitHubPull } from './githubJson';

/** Options of {@link FakeGitHubServer}. @public */
export interface FakeGitHubServerOptions {
  /** The token the API and git accept; default `ghp_fake-github-token`. */
  token?: string;
  /** Login of the token's user; default `fleetdeck-bot`. */
  login?: string;
  /** Requests per window (`x-ratelimit-limit`); default 5000. */
  rateLimit?: number;
  /** Length of a rate-limit window in seconds; default 3600. */
  rateLimitWindowSeconds?: number;
  /** Branches whose updates git refuses (GH006), e.g. `['main']`. */
  protectedBranches?: string[];
}

const DOCS = 'https://docs.github.com/enterprise-server@3.14/rest';

const validationFailed = (error: Record<string, string>, doc: string) =>
  new ApiError({
    status: 422,
    json: {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', ...error }],
      documentation_url: `${DOCS}/${doc}`,
    },
  });

const notFound = (doc: string) =>
  new ApiError({
    status: 404,
    json: { message: 'Not Found', documentation_url: `${DOCS}/${doc}` },
  });

interface Repo {
  id: number;
  owner: string;
  name: string;
}

/**
 * A fake GitHub Enterprise Server on one port of 127.0.0.1: real git over
 * smart HTTP at `/<owner>/<repo>.git`, and the REST API v3 at `/api/v3` for
 * repositories, pull requests and check runs, in GitHub's shapes, with its
 * rate-limit headers, primary and secondary limits, ETags and 304s.
 * @public
 */
export class FakeGitHubServer extends FakeForge {
  private readonly repos = new Map<string, Repo>();
  private readonly pulls: FakeGitHubPull[] = [];
  private readonly checkRuns = new Map<string, FakeGitHubCheckRun[]>();
  private nextId = 1;
  private readonly limit: number;
  private readonly windowSeconds: number;
  private remaining: number;
  /** When the window ends, in ms since the epoch. */
  private resetAt: number;

  constructor(private readonly options: FakeGitHubServerOptions = {}) {
    super(
      options.token ?? 'ghp_fake-github-token',
      '/api/v3',
      options.protectedBranches ?? [],
    );
    this.limit = options.rateLimit ?? 5000;
    this.windowSeconds = options.rateLimitWindowSeconds ?? 3600;
    this.remaining = this.limit;
    this.resetAt = Date.now() + this.windowSeconds * 1000;
  }

  /** Creates `owner/repo` with `files` on its default branch. */
  async createRepository(
    owner: string,
    repo: string,
    files: Record<string, string> = { 'README.md': `# ${repo}\n` },
    options: { defaultBranch?: string } = {},
  ): Promise<void> {
    await this.createBareRepository(
      `${owner}/${repo}`,
      files,
      options.defaultBranch ?? 'main',
    );
    this.repos.set(`${owner}/${repo}`, {
      id: this.nextId++,
      owner,
      name: repo,
    });
  }

  /** The pull requests of `owner/repo`, oldest first. */
  pullRequests(owner: string, repo: string): FakeGitHubPull[] {
    return this.pulls.filter(p => p.owner === owner && p.repo === repo);
  }

  /** Merges the pull request's head into its base in git, as the merge button. */
  async merge(owner: string, repo: string, number: number): Promise<string> {
    const pr = this.pull(owner, repo, number);
    const sha = await mergeBranches(
      this.gitDir(`${owner}/${repo}`),
      pr.base,
      pr.head,
      `Merge pull request #${number} from ${owner}/${pr.head}\n\n${pr.title}`,
    );
    const now = new Date().toISOString();
    Object.assign(pr, {
      state: 'closed',
      merged: true,
      mergedAt: now,
      closedAt: now,
      updatedAt: now,
      mergeCommitSha: sha,
    });
    return sha;
  }

  /** Replaces the check runs of commit `sha`; `pending` runs are in progress. */
  setCheckRuns(
    sha: string,
    conclusion: FakeGitHubCheckRun['conclusion'] | 'pending',
    names: string[] = ['build'],
  ): void {
    const now = new Date().toISOString();
    this.checkRuns.set(
      sha,
      names.map(name => ({
        id: this.nextId++,
        name,
        headSha: sha,
        status: conclusion === 'pending' ? 'in_progress' : 'completed',
        conclusion: conclusion === 'pending' ? null : conclusion,
        startedAt: now,
        completedAt: conclusion === 'pending' ? undefined : now,
      })),
    );
  }

  /** Sets what is left of the primary rate limit, and when it resets. */
  setRateLimit(state: { remaining: number; resetInSeconds?: number }): void {
    this.remaining = state.remaining;
    this.resetAt =
      Date.now() + (state.resetInSeconds ?? this.windowSeconds) * 1000;
  }

  /** The primary rate limit now, as `x-ratelimit-*` would say it. */
  get rateLimitState(): { limit: number; remaining: number; reset: number } {
    this.commonHeaders();
    const reset = Math.ceil(this.resetAt / 1000);
    return { limit: this.limit, remaining: this.remaining, reset };
  }

  private get urls(): GitHubUrls {
    return { web: this.url, api: this.apiBaseUrl };
  }

  private get login() {
    return this.options.login ?? 'fleetdeck-bot';
  }

  protected commonHeaders(): Record<string, string> {
    if (Date.now() >= this.resetAt) {
      this.remaining = this.limit;
      this.resetAt = Date.now() + this.windowSeconds * 1000;
    }
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(this.remaining),
      'x-ratelimit-reset': String(Math.ceil(this.resetAt / 1000)),
      'x-ratelimit-used': String(this.limit - this.remaining),
      'x-ratelimit-resource': 'core',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
    };
  }

  protected unauthorized(request: ApiRequest): ApiAnswer | undefined {
    const match = /^(?:token|bearer) (.+)$/i.exec(
      request.header('authorization') ?? '',
    );
    if (match?.[1] === this.token) return undefined;
    return {
      status: 401,
      json: { message: 'Bad credentials', documentation_url: DOCS },
    };
  }

  protected exhausted(): ApiAnswer | undefined {
    this.commonHeaders();
    if (this.remaining > 0) return undefined;
    return {
      status: 403,
      json: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
      },
    };
  }

  protected consume(): void {
    this.remaining = Math.max(0, this.remaining - 1);
  }

  protected failureAnswer(failure: FakeForgeFailure): ApiAnswer {
    const secondary =
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    return {
      status: failure.status,
      json: {
        message: failure.message ?? secondary,
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
      },
      headers:
        failure.retryAfterSeconds === undefined
          ? {}
          : { 'retry-after': String(failure.retryAfterSeconds) },
    };
  }

  protected async route(r: ApiRequest): Promise<ApiAnswer> {
    const [root, owner, name, collection, id, sub, ...rest] = r.segments;
    if (root !== 'repos' || !owner || !name) throw notFound('');
    const repo = this.repos.get(`${owner}/${name}`);
    if (!repo) throw notFound('repos/repos#get-a-repository');
    const gitDir = this.gitDir(`${owner}/${name}`);
    const info = { ...repo, defaultBranch: await defaultBranchOf(gitDir) };
    const route = [
      r.method,
      collection,
      id && (/^\d+$/.test(id) ? ':n' : ':ref'),
      sub,
      ...rest,
    ]
      .filter(Boolean)
      .join(' ');
    const pull = (pr: FakeGitHubPull, full: boolean) =>
      pullJson(this.urls, pr, info, this.login, full);
    switch (route) {
      case 'GET':
        return { status: 200, json: repoJson(this.urls, info) };
      case 'GET pulls': {
        const q = r.url.searchParams;
        const state = q.get('state') ?? 'open';
        const head = q.get('head');
        const found = this.pullRequests(owner, name)
          .filter(p => state === 'all' || p.state === state)
          .filter(p => !head || `${owner}:${p.head}` === head)
          .filter(p => !q.get('base') || p.base === q.get('base'))
          .reverse();
        const perPage = Math.min(Number(q.get('per_page')) || 30, 100);
        const page = Number(q.get('page')) || 1;
        const json = found.slice((page - 1) * perPage, page * perPage);
        return {
          status: 200,
          json: await Promise.all(
            json.map(async p => pull(await this.refresh(p), false)),
          ),
        };
      }
      case 'POST pulls':
        return { status: 201, json: pull(await this.open(repo, r.body), true) };
      case 'GET pulls :n':
        return {
          status: 200,
          json: pull(
            await this.refresh(this.pull(owner, name, Number(id))),
            true,
          ),
        };
      case 'PATCH pulls :n':
        return {
          status: 200,
          json: pull(
            this.update(this.pull(owner, name, Number(id)), r.body),
            true,
          ),
        };
      case 'GET commits :ref check-runs':
      case 'GET commits :n check-runs': {
        const sha = await resolveRef(gitDir, id);
        if (!sha) {
          throw new ApiError({
            status: 422,
            json: {
              message: `No commit found for SHA: ${id}`,
              documentation_url: `${DOCS}/checks/runs#list-check-runs-for-a-git-reference`,
            },
          });
        }
        const runs = this.checkRuns.get(sha) ?? [];
        return {
          status: 200,
          json: {
            total_count: runs.length,
            check_runs: runs.map(run =>
              checkRunJson(this.urls, `${owner}/${name}`, run),
            ),
          },
        };
      }
      default:
        throw notFound('');
    }
  }

  private pull(owner: string, repo: string, number: number) {
    const pr = this.pullRequests(owner, repo).find(p => p.number === number);
    if (!pr) throw notFound('pulls/pulls#get-a-pull-request');
    return pr;
  }

  /** An open pull request follows its head branch, as on GitHub. */
  private async refresh(pr: FakeGitHubPull) {
    if (pr.state !== 'open') return pr;
    const gitDir = this.gitDir(`${pr.owner}/${pr.repo}`);
    const sha = await resolveRef(gitDir, `refs/heads/${pr.head}`);
    if (sha && sha !== pr.headSha) {
      Object.assign(pr, { headSha: sha, updatedAt: new Date().toISOString() });
    }
    return pr;
  }

  private async open(repo: Repo, body: Record<string, unknown>) {
    const doc = 'pulls/pulls#create-a-pull-request';
    for (const field of ['head', 'base', 'title']) {
      if (typeof body[field] !== 'string' || !body[field]) {
        throw validationFailed({ field, code: 'missing_field' }, doc);
      }
    }
    const rawHead = String(body.head);
    const [headOwner, head] = rawHead.includes(':')
      ? rawHead.split(':', 2)
      : [repo.owner, rawHead];
    const base = String(body.base);
    const gitDir = this.gitDir(`${repo.owner}/${repo.name}`);
    const headSha = await resolveRef(gitDir, `refs/heads/${head}`);
    if (headOwner !== repo.owner || !headSha) {
      throw validationFailed({ field: 'head', code: 'invalid' }, doc);
    }
    const baseSha = await resolveRef(gitDir, `refs/heads/${base}`);
    if (!baseSha)
      throw validationFailed({ field: 'base', code: 'invalid' }, doc);
    const open = this.pullRequests(repo.owner, repo.name).find(
      p => p.state === 'open' && p.head === head && p.base === base,
    );
    if (open) {
      const message = `A pull request already exists for ${repo.owner}:${head}.`;
      throw validationFailed({ code: 'custom', message }, doc);
    }
    if (await isAncestor(gitDir, headSha, baseSha)) {
      const message = `No commits between ${base} and ${head}`;
      throw validationFailed({ code: 'custom', message }, doc);
    }
    const now = new Date().toISOString();
    const pr: FakeGitHubPull = {
      id: this.nextId++,
      number: this.pullRequests(repo.owner, repo.name).length + 1,
      owner: repo.owner,
      repo: repo.name,
      title: String(body.title),
      body: typeof body.body === 'string' ? body.body : '',
      head,
      base,
      headSha,
      baseSha,
      state: 'open',
      merged: false,
      createdAt: now,
      updatedAt: now,
    };
    this.pulls.push(pr);
    return pr;
  }

  private update(pr: FakeGitHubPull, body: Record<string, unknown>) {
    const now = new Date().toISOString();
    if (typeof body.title === 'string') pr.title = body.title;
    if (typeof body.body === 'string') pr.body = body.body;
    if (body.state === 'closed' && pr.state === 'open') {
      Object.assign(pr, { state: 'closed', closedAt: now });
    } else if (body.state === 'open' && pr.state === 'closed' && !pr.merged) {
      Object.assign(pr, { state: 'open', closedAt: undefined });
    }
    pr.updatedAt = now;
    return pr;
  }
}
