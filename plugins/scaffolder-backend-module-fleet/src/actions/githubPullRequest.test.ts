import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createServer, IncomingMessage, Server } from 'http';
import { githubTarget, openPullRequest } from './githubPullRequest';

type Handler = (
  req: IncomingMessage,
  body: any,
) => { status: number; json: unknown };

/** A stand-in for api.github.com on 127.0.0.1 that speaks GitHub's REST format. */
async function fakeGithubApi(handler: Handler) {
  const requests: Array<{
    method?: string;
    url?: string;
    auth?: string;
    body: any;
  }> = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', c => (data += c));
    req.on('end', () => {
      const body = data ? JSON.parse(data) : undefined;
      requests.push({
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        body,
      });
      const { status, json } = handler(req, body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        github: [
          {
            host: 'github.com',
            token: 'ghp_gitops',
            apiBaseUrl: `http://127.0.0.1:${port}`,
          },
        ],
      },
    }),
  );
  return { server, requests, integrations };
}

const pr = (n: number) => ({
  number: n,
  html_url: `https://github.com/fleetdeck-bank/gitops/pull/${n}`,
});

describe('GitHub pull requests of fleetdeck:gitops:register', () => {
  let api: Awaited<ReturnType<typeof fakeGithubApi>> | undefined;
  afterEach(() => api?.server.close());

  it('finds the repository and its credentials from integrations.github', async () => {
    api = await fakeGithubApi(() => ({ status: 404, json: {} }));
    const target = githubTarget(
      api.integrations,
      'https://github.com/fleetdeck-bank/gitops.git',
    )!;
    expect(target).toMatchObject({ owner: 'fleetdeck-bank', repo: 'gitops' });
    expect(await target.auth()).toEqual({
      scope: 'https://github.com',
      username: 'x-access-token',
      token: 'ghp_gitops',
    });
    expect(
      githubTarget(api.integrations, 'file:///srv/git/gitops.git'),
    ).toBeUndefined();
  });

  it('opens a pull request from the registration branch', async () => {
    api = await fakeGithubApi(() => ({ status: 201, json: pr(7) }));
    const target = githubTarget(
      api.integrations,
      'https://github.com/fleetdeck-bank/gitops',
    )!;
    const url = await openPullRequest({
      ...target,
      head: 'fleetdeck/add-payments-gateway',
      base: 'main',
      title: 'Add payments-gateway',
      body: 'Registers payments-gateway',
    });
    expect(url).toBe('https://github.com/fleetdeck-bank/gitops/pull/7');
    expect(api.requests).toEqual([
      {
        method: 'POST',
        url: '/repos/fleetdeck-bank/gitops/pulls',
        auth: 'token ghp_gitops',
        body: {
          head: 'fleetdeck/add-payments-gateway',
          base: 'main',
          title: 'Add payments-gateway',
          body: 'Registers payments-gateway',
        },
      },
    ]);
  });

  it('returns the open pull request when one exists for the branch', async () => {
    api = await fakeGithubApi(req =>
      req.method === 'POST'
        ? {
            status: 422,
            json: {
              message: 'Validation Failed',
              errors: [{ message: 'A pull request already exists' }],
            },
          }
        : { status: 200, json: [pr(5)] },
    );
    const target = githubTarget(
      api.integrations,
      'https://github.com/fleetdeck-bank/gitops',
    )!;
    await expect(
      openPullRequest({
        ...target,
        head: 'fleetdeck/add-payments-gateway',
        base: 'main',
        title: 't',
        body: 'b',
      }),
    ).resolves.toBe('https://github.com/fleetdeck-bank/gitops/pull/5');
    expect(api.requests[1].url).toBe(
      '/repos/fleetdeck-bank/gitops/pulls?head=fleetdeck-bank%3Afleetdeck%2Fadd-payments-gateway&state=open',
    );
  });
});
