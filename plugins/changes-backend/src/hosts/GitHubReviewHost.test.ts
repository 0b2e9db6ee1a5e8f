import { FakeGitHubServer } from '@fleetdeck/backend-test-utils';
import { execFile } from 'child_process';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { GitHubReviewHost } from './GitHubReviewHost';
import { HostRepository } from './types';

const exec = promisify(execFile);
const token = 'ghp_n3ver-show-this-token';

describe('GitHubReviewHost', () => {
  const github = new FakeGitHubServer({ token });
  const host = new GitHubReviewHost();
  let repo: HostRepository;
  let branchSha: string;
  const input = {
    base: 'main',
    head: 'fleetdeck/bump-node',
    title: 'Bump Node to 20',
    body: 'Fleet-wide change',
  };
  let n = 0;

  beforeAll(() => github.start());
  afterAll(() => github.stop());

  beforeEach(async () => {
    // A repository per test: no test sees another's pull requests.
    const name = `payments-${++n}`;
    await github.createRepository('acme', name, { '.nvmrc': '18\n' });
    branchSha = await github.commit(`acme/${name}`, input.head, {
      '.nvmrc': '20\n',
    });
    repo = {
      url: `${github.url}/acme/${name}.git`,
      github: {
        apiBaseUrl: github.apiBaseUrl,
        owner: 'acme',
        repo: name,
        token,
      },
    };
    github.requests.length = 0;
  });

  it('opens a pull request for a branch pushed over git', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gh-host-'));
    const remote = new URL(repo.url);
    remote.username = 'x-access-token';
    remote.password = token;
    const git = (...args: string[]) =>
      exec('git', args, {
        cwd: dir,
        env: {
          ...process.env,
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_AUTHOR_NAME: 'Emma',
          GIT_AUTHOR_EMAIL: 'e@x',
          GIT_COMMITTER_NAME: 'Emma',
          GIT_COMMITTER_EMAIL: 'e@x',
        },
      });
    try {
      await git('clone', '--quiet', remote.toString(), '.');
      await writeFile(join(dir, 'Dockerfile'), 'FROM node:20\n');
      await git('add', 'Dockerfile');
      await git('commit', '--quiet', '-m', 'Add a Dockerfile');
      await git(
        'push',
        '--quiet',
        'origin',
        'HEAD:refs/heads/fleetdeck/docker',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const pr = await host.openPullRequest(repo, {
      ...input,
      head: 'fleetdeck/docker',
    });

    const name = repo.github!.repo;
    expect(pr).toEqual({ number: 1, url: `${github.url}/acme/${name}/pull/1` });
    expect(github.pullRequests('acme', name)).toEqual([
      expect.objectContaining({
        head: 'fleetdeck/docker',
        base: 'main',
        title: 'Bump Node to 20',
        state: 'open',
      }),
    ]);
  });

  it('opening again returns the pull request already open, without a second one', async () => {
    const first = await host.openPullRequest(repo, input);
    const second = await host.openPullRequest(repo, input);

    expect(second).toEqual(first);
    expect(github.pullRequests('acme', repo.github!.repo)).toHaveLength(1);
    expect(github.requests.map(r => r.status)).toEqual([201, 422, 200]);
  });

  it("gives GitHub's message when the head branch does not exist", async () => {
    const error = await host
      .openPullRequest(repo, { ...input, head: 'no-such-branch' })
      .catch((e: Error) => e);

    expect(error).toMatchObject({
      name: 'ReviewHostError',
      status: 422,
      message: `GitHub could not open a pull request in acme/${
        repo.github!.repo
      }: Validation Failed: head invalid (HTTP 422)`,
    });
  });

  it('never puts the token in an error message', async () => {
    const wrong = {
      ...repo,
      github: { ...repo.github!, token: 'ghp_wrong-secret' },
    };
    const errors = await Promise.all([
      host.openPullRequest(wrong, input).catch((e: Error) => e),
      host
        .readPullRequest(repo, { number: 99, url: 'x' })
        .catch((e: Error) => e),
    ]);
    expect(errors.map(e => (e as Error).message)).toEqual([
      expect.stringContaining('Bad credentials (HTTP 401)'),
      expect.stringContaining('Not Found (HTTP 404)'),
    ]);
    const text = errors
      .map(e => `${(e as Error).message} ${(e as Error).stack}`)
      .join();
    expect(text).not.toContain('ghp_wrong-secret');
    expect(text).not.toContain(token);
  });

  it('waits for the primary rate limit to reset, then opens', async () => {
    github.setRateLimit({ remaining: 0, resetInSeconds: 1 });

    const pr = await host.openPullRequest(repo, input);

    expect(pr.number).toBe(1);
    expect(github.requests.map(r => r.status)).toEqual([403, 201]);
  });

  it('waits out a secondary rate limit (Retry-After), then reads', async () => {
    const pr = await host.openPullRequest(repo, input);
    github.failNext({ status: 429, retryAfterSeconds: 1 });

    await expect(host.readPullRequest(repo, pr)).resolves.toMatchObject({
      state: 'open',
    });
    expect(github.requests.map(r => r.status)).toEqual([201, 429, 200, 200]);
  });

  it('gives up at once when the limit resets later than it may wait', async () => {
    github.setRateLimit({ remaining: 0, resetInSeconds: 3600 });
    const bounded = new GitHubReviewHost({ maxRateLimitWaitMs: 5_000 });

    const error = await bounded
      .openPullRequest(repo, input)
      .catch((e: Error) => e);

    github.setRateLimit({ remaining: 5000 });
    expect((error as Error).message).toContain(
      'API rate limit exceeded for user ID 1. (HTTP 403)',
    );
  });

  it('reads an unchanged pull request for free (304), and sees what changes', async () => {
    const pr = await host.openPullRequest(repo, input);
    const first = await host.readPullRequest(repo, pr);
    expect(first).toMatchObject({ state: 'open', headSha: branchSha });
    expect(first!.checks).toBeUndefined();
    const before = github.rateLimitState.remaining;

    await expect(
      host.readPullRequest(repo, pr, first!.etag),
    ).resolves.toBeUndefined();
    expect(github.rateLimitState.remaining).toBe(before);
    expect(github.requests.slice(-2).map(r => r.status)).toEqual([304, 304]);

    github.setCheckRuns(branchSha, 'pending');
    const pending = await host.readPullRequest(repo, pr, first!.etag);
    expect(pending).toMatchObject({ state: 'open', checks: 'pending' });

    github.setCheckRuns(branchSha, 'success', ['build', 'lint']);
    const passing = await host.readPullRequest(repo, pr, pending!.etag);
    expect(passing).toMatchObject({ state: 'open', checks: 'passing' });

    const pushed = await github.commit(
      `acme/${repo.github!.repo}`,
      input.head,
      { 'README.md': 'x\n' },
    );
    github.setCheckRuns(pushed, 'failure');
    const failing = await host.readPullRequest(repo, pr, passing!.etag);
    expect(failing).toMatchObject({
      state: 'open',
      checks: 'failing',
      headSha: pushed,
    });
  });

  it('sees a merged pull request, merged into the base branch in git', async () => {
    const pr = await host.openPullRequest(repo, input);
    const read = await host.readPullRequest(repo, pr);
    const mergeSha = await github.merge('acme', repo.github!.repo, pr.number!);

    await expect(
      host.readPullRequest(repo, pr, read!.etag),
    ).resolves.toMatchObject({ state: 'merged' });
    const { stdout } = await exec('git', [
      '--git-dir',
      github.gitDir(`acme/${repo.github!.repo}`),
      'show',
      'main:.nvmrc',
    ]);
    expect(stdout).toBe('20\n');
    expect(
      github.pullRequests('acme', repo.github!.repo)[0].mergeCommitSha,
    ).toBe(mergeSha);
  });

  it('closes a pull request', async () => {
    const pr = await host.openPullRequest(repo, input);

    await host.closePullRequest(repo, pr);

    expect(github.pullRequests('acme', repo.github!.repo)[0].state).toBe(
      'closed',
    );
    await expect(host.readPullRequest(repo, pr)).resolves.toMatchObject({
      state: 'closed',
    });
  });
});
