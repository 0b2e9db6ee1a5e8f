import { FakeGitLabServer } from './gitlab';

describe('FakeGitLabServer', () => {
  const gitlab = new FakeGitLabServer({ token: 'glpat-t', rateLimit: 2 });
  const api = (path: string, init: RequestInit = {}, token = 'glpat-t') =>
    fetch(`${gitlab.apiBaseUrl}${path}`, {
      ...init,
      headers: {
        'private-token': token,
        'content-type': 'application/json',
        ...init.headers,
      },
    });
  let id: number;

  beforeAll(async () => {
    await gitlab.start();
    id = await gitlab.createRepository('platform/app');
  });
  afterAll(() => gitlab.stop());
  beforeEach(() => gitlab.exhaustRateLimit(0));

  it('finds a project by id or url-encoded path, and refuses a wrong token', async () => {
    const byId = await (await api(`/projects/${id}`)).json();
    const byPath = await (await api('/projects/platform%2Fapp')).json();
    expect(byId).toMatchObject({
      path_with_namespace: 'platform/app',
      default_branch: 'main',
    });
    expect(byPath.id).toBe(id);
    const res = await api(`/projects/${id}`, {}, 'glpat-wrong');
    expect([res.status, await res.json()]).toEqual([
      401,
      { message: '401 Unauthorized' },
    ]);
  });

  it('throttles as Rack::Attack does', async () => {
    await api(`/projects/${id}`);
    await api(`/projects/${id}`);
    const res = await api(`/projects/${id}`);
    expect(res.status).toBe(429);
    expect(await res.text()).toBe('Retry later\n');
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 409 for a second open merge request from one branch', async () => {
    await gitlab.commit('platform/app', 'feature', { 'b.txt': 'b\n' });
    const body = JSON.stringify({
      source_branch: 'feature',
      target_branch: 'main',
      title: 'T',
    });
    const first = await api(`/projects/${id}/merge_requests`, {
      method: 'POST',
      body,
    });
    expect(await first.json()).toMatchObject({
      iid: 1,
      state: 'opened',
      references: { full: 'platform/app!1' },
    });
    gitlab.exhaustRateLimit(0);
    const second = await api(`/projects/${id}/merge_requests`, {
      method: 'POST',
      body,
    });
    expect([second.status, await second.json()]).toEqual([
      409,
      {
        message: [
          'Another open merge request already exists for this source branch: !1',
        ],
      },
    ]);
  });
});
