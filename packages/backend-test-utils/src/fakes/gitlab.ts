import {
  ApiAnswer,
  ApiError,
  ApiRequest,
  FakeForge,
  FakeForgeFailure,
} from './fakeForge';
import { defaultBranchOf, mergeBranches, resolveRef } from './gitRepos';
import {
  FakeGitLabMergeRequest,
  FakeGitLabPipeline,
  FakeGitLabPipelineStatus,
  FakeGitLabProject,
  mergeRequestJson,
  projectJson,
} from './gitlabJson';

export type {
  FakeGitLabMergeRequest,
  FakeGitLabPipelineStatus,
  FakeGitLabProject,
} from './gitlabJson';

/** Options of {@link FakeGitLabServer}. @public */
export interface FakeGitLabServerOptions {
  /** The token the API and git accept; default `glpat-fake-gitlab-token`. */
  token?: string;
  /** Username of the token's user; default `fleetdeck-bot`. */
  username?: string;
  /** Requests per window before Rack::Attack answers 429; default 2000. */
  rateLimit?: number;
  /** Length of a rate-limit window in seconds; default 60. */
  rateLimitWindowSeconds?: number;
  /** Branches whose updates git refuses, e.g. `['main']`. */
  protectedBranches?: string[];
}

const error = (status: number, message: unknown) =>
  new ApiError({ status, json: { message } });

/**
 * A fake GitLab on one port of 127.0.0.1: real git over smart HTTP at
 * `/<group>/<project>.git`, and the REST API v4 at `/api/v4` for projects
 * and merge requests (with head pipelines), in GitLab's shapes, with its
 * Rack::Attack 429 and `RateLimit-*` headers, ETags and 304s.
 * @public
 */
export class FakeGitLabServer extends FakeForge {
  private readonly projects: FakeGitLabProject[] = [];
  private readonly mrs: FakeGitLabMergeRequest[] = [];
  private readonly pipelines = new Map<string, FakeGitLabPipeline>();
  private nextId = 1;
  private readonly limit: number;
  private readonly windowSeconds: number;
  private observed = 0;
  /** When the window ends, in ms since the epoch. */
  private resetAt: number;

  constructor(private readonly options: FakeGitLabServerOptions = {}) {
    super(
      options.token ?? 'glpat-fake-gitlab-token',
      '/api/v4',
      options.protectedBranches ?? [],
    );
    this.limit = options.rateLimit ?? 2000;
    this.windowSeconds = options.rateLimitWindowSeconds ?? 60;
    this.resetAt = Date.now() + this.windowSeconds * 1000;
  }

  /** Creates project `path` (e.g. `platform/payments`); returns its id. */
  async createRepository(
    path: string,
    files: Record<string, string> = { 'README.md': `# ${path}\n` },
    options: { defaultBranch?: string } = {},
  ): Promise<number> {
    await this.createBareRepository(
      path,
      files,
      options.defaultBranch ?? 'main',
    );
    const project = { id: this.nextId++, path };
    this.projects.push(project);
    return project.id;
  }

  /** The merge requests of project `path`, oldest first. */
  mergeRequests(path: string): FakeGitLabMergeRequest[] {
    const project = this.projects.find(p => p.path === path);
    return this.mrs.filter(mr => mr.projectId === project?.id);
  }

  /** Merges the merge request's source branch into its target in git. */
  async merge(path: string, iid: number): Promise<string> {
    const mr = this.mergeRequests(path).find(m => m.iid === iid);
    if (!mr) throw new Error(`No merge request !${iid} in ${path}`);
    const sha = await mergeBranches(
      this.gitDir(path),
      mr.targetBranch,
      mr.sourceBranch,
      `Merge branch '${mr.sourceBranch}' into '${mr.targetBranch}'\n\n${mr.title}\n\nSee merge request ${path}!${iid}`,
    );
    const now = new Date().toISOString();
    Object.assign(mr, {
      state: 'merged',
      mergedAt: now,
      updatedAt: now,
      mergeCommitSha: sha,
    });
    return sha;
  }

  /** Sets the status of the pipeline of commit `sha` (a merge request's head pipeline). */
  setPipeline(sha: string, status: FakeGitLabPipelineStatus): void {
    const now = new Date().toISOString();
    const pipeline = this.pipelines.get(sha);
    this.pipelines.set(sha, {
      id: pipeline?.id ?? this.nextId++,
      sha,
      ref: pipeline?.ref ?? sha,
      status,
      createdAt: pipeline?.createdAt ?? now,
      updatedAt: now,
    });
  }

  /** Uses up the rate limit until `resetInSeconds` from now. */
  exhaustRateLimit(resetInSeconds: number): void {
    this.observed = this.limit;
    this.resetAt = Date.now() + resetInSeconds * 1000;
  }

  private get username() {
    return this.options.username ?? 'fleetdeck-bot';
  }

  protected commonHeaders(): Record<string, string> {
    if (Date.now() >= this.resetAt) {
      this.observed = 0;
      this.resetAt = Date.now() + this.windowSeconds * 1000;
    }
    return {};
  }

  protected unauthorized(request: ApiRequest): ApiAnswer | undefined {
    const bearer = /^bearer (.+)$/i.exec(request.header('authorization') ?? '');
    const token = request.header('private-token') ?? bearer?.[1];
    if (token === this.token) return undefined;
    return { status: 401, json: { message: '401 Unauthorized' } };
  }

  /** Rack::Attack's answer: plain text, with when to come back. */
  private throttled(retryAfter: number): ApiAnswer {
    const reset = Math.ceil(Date.now() / 1000 + retryAfter);
    return {
      status: 429,
      text: 'Retry later\n',
      headers: {
        'RateLimit-Name': 'throttle_authenticated_api',
        'RateLimit-Limit': String(this.limit),
        'RateLimit-Observed': String(this.observed),
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': String(reset),
        'RateLimit-ResetTime': new Date(reset * 1000).toUTCString(),
        'Retry-After': String(retryAfter),
      },
    };
  }

  protected exhausted(): ApiAnswer | undefined {
    this.commonHeaders();
    if (this.observed < this.limit) return undefined;
    return this.throttled(Math.ceil((this.resetAt - Date.now()) / 1000));
  }

  protected consume(): void {
    this.observed++;
  }

  protected failureAnswer(failure: FakeForgeFailure): ApiAnswer {
    if (failure.status === 429 && failure.message === undefined) {
      return this.throttled(failure.retryAfterSeconds ?? 1);
    }
    return {
      status: failure.status,
      json: { message: failure.message ?? `${failure.status} Error` },
      headers:
        failure.retryAfterSeconds === undefined
          ? {}
          : { 'Retry-After': String(failure.retryAfterSeconds) },
    };
  }

  protected async route(r: ApiRequest): Promise<ApiAnswer> {
    const [root, id, collection, iid, ...rest] = r.segments;
    if (root !== 'projects' || !id) throw error(404, '404 Not Found');
    const project = this.projects.find(p =>
      /^\d+$/.test(id) ? p.id === Number(id) : p.path === id,
    );
    if (!project) throw error(404, '404 Project Not Found');
    const gitDir = this.gitDir(project.path);
    const route = [r.method, collection, iid && ':iid', ...rest]
      .filter(Boolean)
      .join(' ');
    const json = (mr: FakeGitLabMergeRequest, single: boolean) =>
      mergeRequestJson(
        this.url,
        project,
        mr,
        this.username,
        single ? { pipeline: this.pipelines.get(mr.sha) } : undefined,
      );
    switch (route) {
      case 'GET': {
        const branch = await defaultBranchOf(gitDir);
        return { status: 200, json: projectJson(this.url, project, branch) };
      }
      case 'GET merge_requests': {
        const q = r.url.searchParams;
        const state = q.get('state') ?? 'all';
        const found = this.mergeRequests(project.path)
          .filter(m => state === 'all' || m.state === state)
          .filter(
            m =>
              !q.get('source_branch') ||
              m.sourceBranch === q.get('source_branch'),
          )
          .filter(
            m =>
              !q.get('target_branch') ||
              m.targetBranch === q.get('target_branch'),
          )
          .reverse();
        await Promise.all(found.map(m => this.refresh(project, m)));
        return { status: 200, json: found.map(m => json(m, false)) };
      }
      case 'POST merge_requests':
        return {
          status: 201,
          json: json(await this.open(project, r.body), true),
        };
      case 'GET merge_requests :iid':
        return {
          status: 200,
          json: json(await this.refresh(project, this.mr(project, iid)), true),
        };
      case 'PUT merge_requests :iid':
        return {
          status: 200,
          json: json(this.update(this.mr(project, iid), r.body), true),
        };
      default:
        throw error(404, '404 Not Found');
    }
  }

  private mr(project: FakeGitLabProject, iid: string) {
    const mr = this.mergeRequests(project.path).find(
      m => m.iid === Number(iid),
    );
    if (!mr) throw error(404, '404 Not found');
    return mr;
  }

  /** An open merge request follows its source branch. */
  private async refresh(
    project: FakeGitLabProject,
    mr: FakeGitLabMergeRequest,
  ) {
    if (mr.state !== 'opened') return mr;
    const sha = await resolveRef(
      this.gitDir(project.path),
      `refs/heads/${mr.sourceBranch}`,
    );
    if (sha && sha !== mr.sha) {
      Object.assign(mr, { sha, updatedAt: new Date().toISOString() });
    }
    return mr;
  }

  private async open(
    project: FakeGitLabProject,
    body: Record<string, unknown>,
  ) {
    for (const field of ['source_branch', 'target_branch', 'title']) {
      if (typeof body[field] !== 'string' || !body[field]) {
        throw new ApiError({
          status: 400,
          json: { error: `${field} is missing` },
        });
      }
    }
    const source = String(body.source_branch);
    const target = String(body.target_branch);
    if (source === target) {
      throw error(422, [
        "You can't use same project/branch for source and target",
      ]);
    }
    const gitDir = this.gitDir(project.path);
    const sha = await resolveRef(gitDir, `refs/heads/${source}`);
    if (!sha) throw error(422, [`Source branch "${source}" does not exist`]);
    const baseSha = await resolveRef(gitDir, `refs/heads/${target}`);
    if (!baseSha)
      throw error(422, [`Target branch "${target}" does not exist`]);
    const conflict = this.mergeRequests(project.path).find(
      m =>
        m.state === 'opened' &&
        m.sourceBranch === source &&
        m.targetBranch === target,
    );
    if (conflict) {
      throw error(409, [
        `Another open merge request already exists for this source branch: !${conflict.iid}`,
      ]);
    }
    const now = new Date().toISOString();
    const mr: FakeGitLabMergeRequest = {
      id: this.nextId++,
      iid: this.mergeRequests(project.path).length + 1,
      projectId: project.id,
      title: String(body.title),
      description: typeof body.description === 'string' ? body.description : '',
      sourceBranch: source,
      targetBranch: target,
      state: 'opened',
      sha,
      baseSha,
      createdAt: now,
      updatedAt: now,
    };
    this.mrs.push(mr);
    return mr;
  }

  private update(mr: FakeGitLabMergeRequest, body: Record<string, unknown>) {
    const now = new Date().toISOString();
    if (typeof body.title === 'string') mr.title = body.title;
    if (typeof body.description === 'string') mr.description = body.description;
    if (body.state_event === 'close' && mr.state === 'opened') {
      Object.assign(mr, { state: 'closed', closedAt: now });
    } else if (body.state_event === 'reopen' && mr.state === 'closed') {
      Object.assign(mr, { state: 'opened', closedAt: undefined });
    }
    mr.updatedAt = now;
    return mr;
  }
}
