import { FakeGitHubServer } from './github';

describe('FakeGitHubServer', () => {
  const github = new FakeGitHubServer({ token: 'ghp_t', rateLimit: 3 });
  const api = (path: string, init: RequestInit = {}, auth = 'token ghp_t') =>
    fetch(`${github.apiBaseUrl}${path}`, {
      ...init,
      headers: { authorization: auth, ...init.headers },
    });

  beforeAll(async () => {
    await github.start();
    await github.createRepository(
      'acme',
      'app',
      { 'a.txt': 'a\n' },
      { defaultBranch: 'trunk' },
    );
  });
  afterAll(() => github.stop());
  beforeEach(() => github.setRateLimit({ remaining: 3 }));

  it('answers 401 without the token, and rate-limit headers always', async () => {
    const res = await api('/repos/acme/app', {}, 'Bearer wrong');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'Bad credentials' });
    expect(res.headers.get('x-ratelimit-limit')).toBe('3');
    expect(res.headers.get('x-ratelimit-resource')).toBe('core');
  });

  it('counts requests down to a 403 with remaining 0', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await api('/repos/acme/app');
      statuses.push([res.status, res.headers.get('x-ratelimit-remaining')]);
    }
    expect(statuses).toEqual([
      [200, '2'],
      [200, '1'],
      [200, '0'],
      [403, '0'],
    ]);
  });

  it('serves the repository with its default branch, an ETag, and a free 304', async () => {
    const res = await api('/repos/acme/app', {}, 'Bearer ghp_t');
    expect(await res.json()).toMatchObject({
      full_name: 'acme/app',
      default_branch: 'trunk',
    });
    const etag = res.headers.get('etag')!;
    const again = await api('/repos/acme/app', {
      headers: { 'if-none-match': etag },
    });
    expect([again.status, again.headers.get('x-ratelimit-remaining')]).toEqual([
      304,
      '2',
    ]);
  });

  it('answers a secondary limit with retry-after', async () => {
    github.failNext({ status: 403, retryAfterSeconds: 30 });
    const res = await api('/repos/acme/app');
    expect([res.status, res.headers.get('retry-after')]).toEqual([403, '30']);
    expect((await res.json()).message).toMatch(/secondary rate limit/);
  });

  it('lists pull requests by head, and check runs by ref', async () => {
    github.setRateLimit({ remaining: 100 });
    const sha = await github.commit('acme/app', 'feature', { 'b.txt': 'b\n' });
    const created = await api('/repos/acme/app/pulls', {
      method: 'POST',
      body: JSON.stringify({ title: 'T', head: 'acme:feature', base: 'trunk' }),
    });
    expect(await created.json()).toMatchObject({
      number: 1,
      state: 'open',
      merged: false,
      head: { ref: 'feature', sha },
      base: { ref: 'trunk' },
    });
    const noCommits = await api('/repos/acme/app/pulls', {
      method: 'POST',
      body: JSON.stringify({ title: 'T', head: 'trunk', base: 'feature' }),
    });
    expect((await noCommits.json()).errors[0].message).toBe(
      'No commits between feature and trunk',
    );

    const listed = await (
      await api('/repos/acme/app/pulls?head=acme:feature&state=all')
    ).json();
    expect(listed.map((p: { number: number }) => p.number)).toEqual([1]);
    expect(
      await (await api('/repos/acme/app/pulls?head=acme:other')).json(),
    ).toEqual([]);

    github.setCheckRuns(sha, 'failure', ['build', 'lint']);
    const runs = await (
      await api('/repos/acme/app/commits/feature/check-runs')
    ).json();
    expect(runs.total_count).toBe(2);
    expect(runs.check_runs[0]).toMatchObject({
      name: 'build',
      status: 'completed',
      conclusion: 'failure',
      head_sha: sha,
    });
  });
});
