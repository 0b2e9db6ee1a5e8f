import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { GitHostIntegrations, RepositoryResolver } from './RepositoryResolver';

/** Integrations as `ScmIntegrations` answers them, for two hosts. */
function integrations(tokens: {
  github?: string;
  gitlab?: string;
}): GitHostIntegrations {
  const on = (host: string, token?: string) => ({
    byHost: (h: string) => (h === host ? { config: { token } } : undefined),
  });
  return {
    github: on('github.com', tokens.github),
    gitlab: on('gitlab.example', tokens.gitlab),
  };
}

describe('RepositoryResolver', () => {
  const base = mkdtempSync(join(tmpdir(), 'fleetdeck-node-resolver-'));
  const root = join(base, 'git');
  mkdirSync(join(root, 'payments-api'), { recursive: true });
  mkdirSync(join(base, 'secrets'));
  symlinkSync(join(base, 'secrets'), join(root, 'sneaky'));
  const resolver = new RepositoryResolver({
    allowedHosts: ['github.com', 'gitlab.example'],
    allowedRoots: [root],
    integrations: integrations({ github: 'ghp_token_123456' }),
    configPath: 'changes.git',
  });

  it('resolves annotations to clone URLs, web URLs and host kinds', () => {
    const entity = (annotations: Record<string, string>) => ({
      metadata: { annotations },
    });
    expect(
      resolver.resolve(entity({ 'fleetdeck.io/git-repo': 'payments-api' })),
    ).toMatchObject({
      url: `file://${realpathSync(root)}/payments-api`,
      name: 'payments-api',
    });
    expect(
      resolver.resolve(
        entity({
          'backstage.io/source-location':
            'url:https://github.com/acme/payments-api/tree/main/',
        }),
      ),
    ).toMatchObject({
      url: 'https://github.com/acme/payments-api.git',
      webUrl: 'https://github.com/acme/payments-api',
      github: { host: 'github.com', owner: 'acme', repo: 'payments-api' },
      gitlab: false,
    });
    expect(
      resolver.resolveValue('https://gitlab.example/bank/cards/-/tree/main'),
    ).toMatchObject({
      url: 'https://gitlab.example/bank/cards.git',
      gitlab: true,
    });
  });

  it.each([
    ['https://169.254.169.254/x', /not in changes.git.allowedHosts/],
    ['ext::sh -c touch% /tmp/pwned', /not found under any of changes.git/],
    ['--upload-pack=touch /tmp/pwned', /Invalid repository/],
    ['sneaky', /outside changes.git.allowedRoots/],
    ['/etc', /outside changes.git.allowedRoots/],
  ])('refuses %s, naming the setting to change', (value, message) => {
    expect(() => resolver.resolveValue(value)).toThrow(message);
  });

  it("sends a host's token only to that host over https", () => {
    const auth = (value: string) =>
      resolver.gitAuth(resolver.resolveValue(value));
    expect(auth('https://github.com/acme/payments-api')).toEqual({
      scope: 'https://github.com',
      username: 'x-access-token',
      token: 'ghp_token_123456',
    });
    expect(auth('https://gitlab.example/bank/cards')).toBeUndefined();
    expect(auth('git@github.com:acme/payments-api.git')).toBeUndefined();
    expect(auth('payments-api')).toBeUndefined();
  });
});
