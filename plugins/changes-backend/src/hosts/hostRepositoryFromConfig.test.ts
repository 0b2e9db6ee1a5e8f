import { ConfigReader } from '@backstage/config';
import { hostRepositoryFromConfig } from './hostRepositoryFromConfig';

const config = new ConfigReader({
  integrations: {
    github: [
      { host: 'github.com', token: 'ghp_cloud' },
      {
        host: 'ghe.bank.example:8443',
        apiBaseUrl: 'https://ghe.bank.example:8443/api/v3',
        token: 'ghp_ghe',
      },
    ],
    gitlab: [
      {
        host: 'code.bank.example',
        apiBaseUrl: 'https://code.bank.example/gitlab/api/v4',
        baseUrl: 'https://code.bank.example/gitlab',
        token: 'glpat-x',
      },
    ],
  },
});

describe('hostRepositoryFromConfig', () => {
  it('finds the GitHub integration of a github.com repository', () => {
    expect(
      hostRepositoryFromConfig('https://github.com/acme/payments', config),
    ).toEqual({
      url: 'https://github.com/acme/payments',
      webUrl: 'https://github.com/acme/payments',
      github: {
        apiBaseUrl: 'https://api.github.com',
        owner: 'acme',
        repo: 'payments',
        token: 'ghp_cloud',
      },
    });
  });

  it('matches GitHub Enterprise by host and port, clone URL or scp form', () => {
    const github = {
      apiBaseUrl: 'https://ghe.bank.example:8443/api/v3',
      owner: 'acme',
      repo: 'payments',
      token: 'ghp_ghe',
    };
    expect(
      hostRepositoryFromConfig(
        'https://ghe.bank.example:8443/acme/payments.git',
        config,
      ),
    ).toMatchObject({
      webUrl: 'https://ghe.bank.example:8443/acme/payments',
      github,
    });
    expect(
      hostRepositoryFromConfig(
        'https://ghe.bank.example/acme/payments.git',
        config,
      ).github,
    ).toBeUndefined();
  });

  it('takes a GitLab project path below its relative URL root', () => {
    expect(
      hostRepositoryFromConfig(
        'https://code.bank.example/gitlab/platform/team/payments.git',
        config,
      ),
    ).toEqual({
      url: 'https://code.bank.example/gitlab/platform/team/payments.git',
      webUrl: 'https://code.bank.example/gitlab/platform/team/payments',
      gitlab: {
        apiBaseUrl: 'https://code.bank.example/gitlab/api/v4',
        projectPath: 'platform/team/payments',
        token: 'glpat-x',
      },
    });
    expect(
      hostRepositoryFromConfig(
        'git@code.bank.example:gitlab/platform/api.git',
        config,
      ).gitlab,
    ).toMatchObject({ projectPath: 'platform/api' });
  });

  it('treats a host without an integration as a plain git server', () => {
    expect(
      hostRepositoryFromConfig(
        'https://git.bank.example/scm/payments.git',
        config,
      ),
    ).toEqual({
      url: 'https://git.bank.example/scm/payments.git',
    });
  });
});
