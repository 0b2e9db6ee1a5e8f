import { ConfigReader } from '@backstage/config';
import {
  FakeGitHubServer,
  FakeGitLabServer,
} from '@fleetdeck/backend-test-utils';
import { hostRepositoryFromConfig } from './hostRepositoryFromConfig';
import { reviewHostFor } from './reviewHostFor';

describe('reviewHostFor', () => {
  const github = new FakeGitHubServer({ token: 'ghp_t' });
  const gitlab = new FakeGitLabServer({ token: 'glpat-t' });
  const input = { base: 'main', head: 'fleetdeck/x', title: 'X', body: '' };

  beforeAll(async () => {
    await Promise.all([github.start(), gitlab.start()]);
    await github.createRepository('acme', 'app');
    await github.commit('acme/app', 'fleetdeck/x', { x: '1' });
    await gitlab.createRepository('platform/app');
    await gitlab.commit('platform/app', 'fleetdeck/x', { x: '1' });
  });
  afterAll(() => Promise.all([github.stop(), gitlab.stop()]));

  it('opens pull and merge requests on the hosts the integrations name', async () => {
    const config = new ConfigReader({
      integrations: {
        github: [
          {
            host: new URL(github.url).host,
            apiBaseUrl: github.apiBaseUrl,
            token: 'ghp_t',
          },
        ],
        gitlab: [
          {
            host: new URL(gitlab.url).host,
            apiBaseUrl: gitlab.apiBaseUrl,
            baseUrl: gitlab.url,
            token: 'glpat-t',
          },
        ],
      },
    });
    const onGitHub = hostRepositoryFromConfig(
      `${github.url}/acme/app.git`,
      config,
    );
    const onGitLab = hostRepositoryFromConfig(
      `${gitlab.url}/platform/app.git`,
      config,
    );
    const onPlain = {
      url: 'https://git.example/app.git',
      compareUrl: 'https://git.example/{repo}/compare/{base}...{head}',
    };

    // As the apply worker asks: a host by URL, picking per repository.
    const host = reviewHostFor(onGitHub.url);
    await expect(host.openPullRequest(onGitHub, input)).resolves.toEqual({
      number: 1,
      url: `${github.url}/acme/app/pull/1`,
    });
    await expect(host.openPullRequest(onGitLab, input)).resolves.toEqual({
      number: 1,
      url: `${gitlab.url}/platform/app/-/merge_requests/1`,
    });
    await expect(
      reviewHostFor(onPlain).openPullRequest(onPlain, input),
    ).resolves.toEqual({
      url: 'https://git.example/app/compare/main...fleetdeck/x',
    });
  });
});
