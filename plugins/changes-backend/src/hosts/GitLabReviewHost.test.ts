import { FakeGitLabServer } from '@fleetdeck/backend-test-utils';
import { execFile } from 'child_process';
import { promisify } from 'util';
import { GitLabReviewHost } from './GitLabReviewHost';
import { HostRepository } from './types';

const exec = promisify(execFile);
const token = 'glpat-n3ver-show-this-token';

describe('GitLabReviewHost', () => {
  const gitlab = new FakeGitLabServer({ token });
  const host = new GitLabReviewHost();
  let repo: HostRepository;
  let path: string;
  let branchSha: string;
  const input = {
    base: 'main',
    head: 'fleetdeck/bump-node',
    title: 'Bump Node to 20',
    body: 'Fleet-wide change',
  };
  let n = 0;

  beforeAll(() => gitlab.start());
  afterAll(() => gitlab.stop());

  beforeEach(async () => {
    path = `platform/team/payments-${++n}`;
    await gitlab.createRepository(path, { '.nvmrc': '18\n' });
    branchSha = await gitlab.commit(path, input.head, { '.nvmrc': '20\n' });
    repo = {
      url: `${gitlab.url}/${path}.git`,
      gitlab: { apiBaseUrl: gitlab.apiBaseUrl, projectPath: path, token },
    };
    gitlab.requests.length = 0;
  });

  it('opens a merge request, by its url-encoded project path', async () => {
    const mr = await host.openPullRequest(repo, input);

    expect(mr).toEqual({
      number: 1,
      url: `${gitlab.url}/${path}/-/merge_requests/1`,
    });
    expect(gitlab.mergeRequests(path)).toEqual([
      expect.objectContaining({
        sourceBranch: input.head,
        targetBranch: 'main',
        description: 'Fleet-wide change',
        state: 'opened',
      }),
    ]);
    expect(gitlab.requests[0].path).toBe(
      `/api/v4/projects/${encodeURIComponent(path)}/merge_requests`,
    );
  });

  it('opening again returns the merge request already open, without a second one', async () => {
    const first = await host.openPullRequest(repo, input);
    const second = await host.openPullRequest(repo, input);

    expect(second).toEqual(first);
    expect(gitlab.mergeRequests(path)).toHaveLength(1);
    expect(gitlab.requests.map(r => r.status)).toEqual([201, 409, 200]);
  });

  it("gives GitLab's message when the source branch does not exist", async () => {
    const error = await host
      .openPullRequest(repo, { ...input, head: 'no-such-branch' })
      .catch((e: Error) => e);

    expect(error).toMatchObject({
      status: 422,
      message: `GitLab could not open a merge request in ${path}: Source branch "no-such-branch" does not exist (HTTP 422)`,
    });
  });

  it('never puts the token in an error message', async () => {
    const wrong = {
      ...repo,
      gitlab: { ...repo.gitlab!, token: 'glpat-wrong-secret' },
    };
    const error = await host
      .openPullRequest(wrong, input)
      .catch((e: Error) => e);

    expect((error as Error).message).toBe(
      `GitLab could not open a merge request in ${path}: 401 Unauthorized (HTTP 401)`,
    );
    expect(`${(error as Error).stack}`).not.toContain('glpat-wrong-secret');
  });

  it('waits out a 429 (Retry-After), then opens', async () => {
    gitlab.failNext({ status: 429, retryAfterSeconds: 1 });
    const started = Date.now();

    await expect(host.openPullRequest(repo, input)).resolves.toMatchObject({
      number: 1,
    });

    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(gitlab.requests.map(r => r.status)).toEqual([429, 201]);
  });

  it('gives up at once when the limit lifts later than it may wait', async () => {
    gitlab.exhaustRateLimit(600);
    const bounded = new GitLabReviewHost({ maxRateLimitWaitMs: 5_000 });

    const error = await bounded
      .openPullRequest(repo, input)
      .catch((e: Error) => e);

    gitlab.exhaustRateLimit(0);
    expect((error as Error).message).toBe(
      `GitLab could not open a merge request in ${path}: Retry later (HTTP 429)`,
    );
  });

  it('reads an unchanged merge request for free (304), and sees pipelines', async () => {
    const mr = await host.openPullRequest(repo, input);
    const first = await host.readPullRequest(repo, mr);
    expect(first).toMatchObject({ state: 'open', headSha: branchSha });
    expect(first!.checks).toBeUndefined();

    await expect(
      host.readPullRequest(repo, mr, first!.etag),
    ).resolves.toBeUndefined();
    expect(gitlab.requests.at(-1)!.status).toBe(304);

    gitlab.setPipeline(branchSha, 'running');
    const pending = await host.readPullRequest(repo, mr, first!.etag);
    expect(pending).toMatchObject({ checks: 'pending' });
    gitlab.setPipeline(branchSha, 'success');
    const passing = await host.readPullRequest(repo, mr, pending!.etag);
    expect(passing).toMatchObject({ checks: 'passing' });
    gitlab.setPipeline(branchSha, 'failed');
    const failing = await host.readPullRequest(repo, mr, passing!.etag);
    expect(failing).toMatchObject({ checks: 'failing' });
  });

  it('sees a merged merge request, merged into the target branch in git', async () => {
    const mr = await host.openPullRequest(repo, input);
    await gitlab.merge(path, mr.number!);

    await expect(host.readPullRequest(repo, mr)).resolves.toMatchObject({
      state: 'merged',
    });
    const { stdout } = await exec('git', [
      '--git-dir',
      gitlab.gitDir(path),
      'show',
      'main:.nvmrc',
    ]);
    expect(stdout).toBe('20\n');
  });

  it('closes a merge request', async () => {
    const mr = await host.openPullRequest(repo, input);

    await host.closePullRequest(repo, mr);

    expect(gitlab.mergeRequests(path)[0].state).toBe('closed');
    await expect(host.readPullRequest(repo, mr)).resolves.toMatchObject({
      state: 'closed',
    });
  });
});
