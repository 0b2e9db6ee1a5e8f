import { Repository } from '@fleetdeck/fleetdeck-node';
import { lineUrl } from './lineUrl';

const base: Repository = { url: 'x', key: 'k', name: 'payments-api' };

describe('lineUrl', () => {
  it("links to the line in GitHub's and GitLab's blob views, path encoded", () => {
    const github = {
      ...base,
      webUrl: 'https://github.com/acme/payments-api',
      github: { host: 'github.com', owner: 'acme', repo: 'payments-api' },
    };
    expect(lineUrl(github, 'main', 'docker/Dockerfile', 3)).toBe(
      'https://github.com/acme/payments-api/blob/main/docker/Dockerfile#L3',
    );
    expect(lineUrl(github, 'release/2.x', 'a b:c/#1?.md', 1)).toBe(
      'https://github.com/acme/payments-api/blob/release/2.x/a%20b%3Ac/%231%3F.md#L1',
    );
    const gitlab = {
      ...base,
      webUrl: 'https://gitlab.example/bank/cards',
      gitlab: true,
    };
    expect(lineUrl(gitlab, 'trunk', 'Dockerfile', 12)).toBe(
      'https://gitlab.example/bank/cards/-/blob/trunk/Dockerfile#L12',
    );
  });

  it('gives no link for a host whose web layout is unknown, or no host', () => {
    expect(
      lineUrl({ ...base, webUrl: 'https://git.example/x' }, 'main', 'a', 1),
    ).toBeUndefined();
    expect(lineUrl(base, 'main', 'a', 1)).toBeUndefined();
  });
});
