import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { rest } from 'msw';
import { setupServer } from 'msw/node';
import { githubTarget, openPullRequest } from './githubPullRequest';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: { github: [{ host: 'github.com', token: 'ghp_gitops' }] },
  }),
);
const pr = (n: number) => ({
  number: n,
  html_url: `https://github.com/fleetdeck-bank/gitops/pull/${n}`,
});

describe('GitHub pull requests of fleetdeck:gitops:register', () => {
  // GitHub's REST API, as the fake for the one service that cannot run here.
  const server = setupServer();
  registerMswTestHooks(server);

  it('finds the repository and its credentials from integrations.github', async () => {
    const target = githubTarget(
      integrations,
      'https://github.com/fleetdeck-bank/gitops.git',
    )!;
    expect(target).toMatchObject({ owner: 'fleetdeck-bank', repo: 'gitops' });
    expect(await target.auth()).toEqual({
      scope: 'https://github.com',
      username: 'x-access-token',
      token: 'ghp_gitops',
    });
    expect(
      githubTarget(integrations, 'file:///srv/git/gitops.git'),
    ).toBeUndefined();
  });

  it('opens a pull request from the registration branch', async () => {
    let body: any;
    let auth: string | null = null;
    server.use(
      rest.post(
        'https://api.github.com/repos/fleetdeck-bank/gitops/pulls',
        async (req, res, ctx) => {
          body = await req.json();
          auth = req.headers.get('authorization');
          return res(ctx.status(201), ctx.json(pr(7)));
        },
      ),
    );
    const target = githubTarget(
      integrations,
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
    expect(auth).toBe('token ghp_gitops');
    expect(body).toEqual({
      head: 'fleetdeck/add-payments-gateway',
      base: 'main',
      title: 'Add payments-gateway',
      body: 'Registers payments-gateway',
    });
  });

  it('returns the open pull request when one exists for the branch', async () => {
    server.use(
      rest.post(
        'https://api.github.com/repos/fleetdeck-bank/gitops/pulls',
        (_req, res, ctx) =>
          res(
            ctx.status(422),
            ctx.json({
              message: 'Validation Failed',
              errors: [{ message: 'A pull request already exists' }],
            }),
          ),
      ),
      rest.get(
        'https://api.github.com/repos/fleetdeck-bank/gitops/pulls',
        (req, res, ctx) =>
          req.url.searchParams.get('head') ===
          'fleetdeck-bank:fleetdeck/add-payments-gateway'
            ? res(ctx.json([pr(5)]))
            : res(ctx.json([])),
      ),
    );
    const target = githubTarget(
      integrations,
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
  });
});
