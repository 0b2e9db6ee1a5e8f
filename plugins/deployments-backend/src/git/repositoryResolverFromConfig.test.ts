import { ConfigReader } from '@backstage/config';
import { mkdirSync, mkdtempSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { repositoryResolverFromConfig } from './repositoryResolverFromConfig';

describe('RepositoryResolver (SSRF guard)', () => {
  const base = mkdtempSync(join(tmpdir(), 'fleetdeck-resolver-'));
  const root = join(base, 'git');
  const outside = join(base, 'secrets');
  mkdirSync(join(root, 'payments-api'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  symlinkSync(outside, join(root, 'sneaky'));

  const resolver = repositoryResolverFromConfig(
    new ConfigReader({
      integrations: {
        github: [{ host: 'github.com' }],
        gitlab: [
          {
            host: 'gitlab.fleetdeck.example',
            apiBaseUrl: 'https://gitlab.fleetdeck.example/api/v4',
          },
        ],
      },
      deployments: {
        git: {
          allowedHosts: ['github.com', 'gitlab.fleetdeck.example'],
          allowedRoots: [root],
        },
      },
    }),
  );
  const entity = (annotations: Record<string, string>) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'x', annotations },
  });

  it('resolves a repository name under an allowed root', () => {
    const repo = resolver.resolve(
      entity({ 'fleetdeck.io/git-repo': 'payments-api' }),
    );
    expect(repo.url).toMatch(/^file:\/\/.*\/git\/payments-api$/);
    expect(repo.name).toBe('payments-api');
  });

  it('turns source-locations on GitHub and GitLab into clone URLs', () => {
    const gh = resolver.resolve(
      entity({
        'backstage.io/source-location':
          'url:https://github.com/fleetdeck-bank/payments-api/tree/main/',
      }),
    );
    expect(gh).toMatchObject({
      url: 'https://github.com/fleetdeck-bank/payments-api.git',
      webUrl: 'https://github.com/fleetdeck-bank/payments-api',
      github: { owner: 'fleetdeck-bank', repo: 'payments-api' },
    });
    const gl = resolver.resolveValue(
      'https://gitlab.fleetdeck.example/bank/cards/card-authorizer/-/tree/main',
    );
    expect(gl).toMatchObject({
      url: 'https://gitlab.fleetdeck.example/bank/cards/card-authorizer.git',
      gitlab: true,
    });
    expect(
      resolver.resolveValue('git@github.com:fleetdeck-bank/payments-api.git')
        .url,
    ).toBe('ssh://git@github.com/fleetdeck-bank/payments-api.git');
  });

  it.each([
    [
      'an internal address',
      'https://169.254.169.254/latest/meta-data',
      /not in deployments.git.allowedHosts/,
    ],
    ['localhost', 'http://localhost:7007/api', /protocol http: is not allowed/],
    [
      'a host not on the list',
      'https://git.evil.example/x/y.git',
      /not in deployments.git.allowedHosts/,
    ],
    [
      'the ext transport',
      'ext::sh -c touch% /tmp/pwned',
      /not found under any/,
    ],
    [
      'an option-looking value',
      '--upload-pack=touch /tmp/pwned',
      /Invalid repository/,
    ],
    [
      'a path outside the roots',
      '/etc',
      /outside deployments.git.allowedRoots/,
    ],
    [
      'a file URL outside the roots',
      `file://${outside}`,
      /outside deployments.git.allowedRoots/,
    ],
    [
      'a symlink out of a root',
      'sneaky',
      /outside deployments.git.allowedRoots/,
    ],
    ['a relative escape', '../secrets', /outside deployments.git.allowedRoots/],
    [
      'credentials in the URL',
      'https://user:pw@github.com/a/b.git',
      /must not carry credentials/,
    ],
  ])('refuses %s', (_, value, message) => {
    expect(() => resolver.resolveValue(value)).toThrow(message);
  });

  it("gives git the integration's token for its own host only", () => {
    const withTokens = repositoryResolverFromConfig(
      new ConfigReader({
        integrations: {
          github: [{ host: 'github.com', token: 'ghp_token_123456' }],
          gitlab: [
            {
              host: 'gitlab.fleetdeck.example',
              apiBaseUrl: 'https://gitlab.fleetdeck.example/api/v4',
              token: 'glpat_token_123456',
            },
          ],
        },
        deployments: { git: { allowedRoots: [root] } },
      }),
    );
    const auth = (value: string) =>
      withTokens.gitAuth(withTokens.resolveValue(value));
    expect(auth('https://github.com/fleetdeck-bank/payments-api')).toEqual({
      scope: 'https://github.com',
      username: 'x-access-token',
      token: 'ghp_token_123456',
    });
    expect(
      auth('https://gitlab.fleetdeck.example/bank/cards/card-authorizer'),
    ).toEqual({
      scope: 'https://gitlab.fleetdeck.example',
      username: 'oauth2',
      token: 'glpat_token_123456',
    });
    // not over ssh, and not for a local repository
    expect(
      auth('git@github.com:fleetdeck-bank/payments-api.git'),
    ).toBeUndefined();
    expect(auth('payments-api')).toBeUndefined();
  });
});
