import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { migrate } from '../database/migrate';
import { PullRequestStore } from '../database/PullRequestStore';
import { repositoryResolverFromConfig } from '../git/repositoryResolverFromConfig';
import { CommitLinker } from './CommitLinker';
import { GitHubPullRequests } from './GitHubPullRequests';

jest.setTimeout(60_000);

/** A pull request as GitHub's REST API returns it (trimmed to realistic fields). */
function githubPull(
  number: number,
  title: string,
  login: string,
  merged = true,
) {
  return {
    url: `https://api.github.com/repos/fleetdeck-bank/payments-api/pulls/${number}`,
    id: 1800000000 + number,
    node_id: 'PR_kwDOKx',
    html_url: `https://github.com/fleetdeck-bank/payments-api/pull/${number}`,
    number,
    state: 'closed',
    locked: false,
    title,
    user: { login, id: 4242, type: 'User', site_admin: false },
    body: 'Closes PAY-142',
    created_at: '2026-02-27T10:00:00Z',
    updated_at: '2026-03-01T10:00:00Z',
    closed_at: '2026-03-01T10:00:00Z',
    merged_at: merged ? '2026-03-01T10:00:00Z' : null,
    merge_commit_sha: 'a'.repeat(40),
    draft: false,
    head: { ref: 'feature/instant', sha: 'b'.repeat(40) },
    base: { ref: 'main', sha: 'c'.repeat(40) },
  };
}

describe('GitHub pull request enrichment against a server speaking GitHub REST', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let server: Server;
  let apiBaseUrl: string;
  const requests: IncomingMessage[] = [];
  let rateLimitOnce = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req);
      const m = /^\/repos\/fleetdeck-bank\/payments-api\/pulls\/(\d+)$/.exec(
        req.url ?? '',
      );
      const common = {
        'content-type': 'application/json; charset=utf-8',
        'x-github-media-type': 'github.v3',
      };
      if (rateLimitOnce) {
        rateLimitOnce = false;
        res.writeHead(403, {
          ...common,
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '5000',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 2),
          'x-ratelimit-resource': 'core',
        });
        res.end(
          JSON.stringify({
            message: 'API rate limit exceeded for user ID 4242.',
            documentation_url:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          }),
        );
        return;
      }
      if (!m || m[1] === '999') {
        res.writeHead(404, common);
        res.end(
          JSON.stringify({
            message: 'Not Found',
            documentation_url:
              'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
          }),
        );
        return;
      }
      const etag = `W/"etag-${m[1]}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'x-ratelimit-remaining': '4999' });
        res.end();
        return;
      }
      res.writeHead(200, { ...common, etag, 'x-ratelimit-remaining': '4998' });
      res.end(
        JSON.stringify(
          githubPull(
            Number(m[1]),
            `Instant payments #${m[1]}`,
            'emma-payments',
          ),
        ),
      );
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    apiBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => server.close(r)));

  async function setup() {
    const knex = await databases.init('SQLITE_3');
    await migrate(knex);
    const config = new ConfigReader({
      integrations: {
        github: [{ host: 'github.com', apiBaseUrl, token: 'ghp_test' }],
      },
    });
    const store = new PullRequestStore(knex);
    let now = Date.parse('2026-03-05T00:00:00Z');
    const sleeps: number[] = [];
    const prs = new GitHubPullRequests({
      integrations: ScmIntegrations.fromConfig(config),
      store,
      logger: mockServices.logger.mock(),
      now: () => now,
      sleep: async ms => {
        sleeps.push(ms);
        now += ms;
      },
    });
    const repo = repositoryResolverFromConfig(config).resolveValue(
      'https://github.com/fleetdeck-bank/payments-api/tree/main/',
    );
    return { prs, store, repo, sleeps, advance: (ms: number) => (now += ms) };
  }

  it('fetches titles and authors once, then refreshes with If-None-Match', async () => {
    const { prs, store, repo, advance } = await setup();
    expect(repo.github).toEqual({
      host: 'github.com',
      owner: 'fleetdeck-bank',
      repo: 'payments-api',
    });
    requests.length = 0;
    await prs.enqueue(repo, [21, 22, 999]);
    await prs.idle();
    expect(requests.map(r => r.url)).toEqual([
      '/repos/fleetdeck-bank/payments-api/pulls/21',
      '/repos/fleetdeck-bank/payments-api/pulls/22',
      '/repos/fleetdeck-bank/payments-api/pulls/999',
    ]);
    expect(requests[0].headers.authorization).toBe('token ghp_test');
    const stored = await store.get(repo.key, [21, 999]);
    expect(stored.get(21)).toMatchObject({
      title: 'Instant payments #21',
      author: 'emma-payments',
      state: 'merged',
      url: 'https://github.com/fleetdeck-bank/payments-api/pull/21',
      etag: 'W/"etag-21"',
    });
    expect(stored.get(999)).toMatchObject({ state: 'missing' });

    // Fresh details are not fetched again.
    requests.length = 0;
    expect(await prs.enqueue(repo, [21, 22])).toBe(0);
    expect(requests).toHaveLength(0);

    // Stale ones are refreshed conditionally; a 304 keeps what we have.
    advance(2 * 24 * 60 * 60_000);
    await prs.enqueue(repo, [21]);
    await prs.idle();
    expect(requests).toHaveLength(1);
    expect(requests[0].headers['if-none-match']).toBe('W/"etag-21"');
    expect((await store.get(repo.key, [21])).get(21)).toMatchObject({
      title: 'Instant payments #21',
    });
  });

  it('waits for the rate limit reset, then carries on', async () => {
    const { prs, store, repo, sleeps } = await setup();
    rateLimitOnce = true;
    requests.length = 0;
    await prs.enqueue(repo, [31]);
    await prs.idle();
    expect(requests).toHaveLength(2);
    expect(sleeps.length).toBeGreaterThan(0);
    expect((await store.get(repo.key, [31])).get(31)).toMatchObject({
      title: 'Instant payments #31',
    });
  });

  it('links PRs and tickets with configured templates', () => {
    const linker = CommitLinker.fromConfig(
      new ConfigReader({
        deployments: {
          links: {
            tickets: [
              {
                pattern: '\\bPAY-\\d+\\b',
                url: 'https://jira.fleetdeck.example/browse/{key}',
              },
            ],
            pullRequests: {
              url: 'https://git.fleetdeck.example/{repo}/pull/{number}',
            },
          },
        },
      }),
    );
    const repo = {
      url: 'file:///x/payments-api',
      key: 'k',
      name: 'payments-api',
    };
    expect(
      linker.references(
        repo,
        'Instant payments (#22)',
        'Refs PAY-142 and PAY-142, not CARD-1',
      ),
    ).toEqual([
      {
        type: 'pull-request',
        key: '#22',
        url: 'https://git.fleetdeck.example/payments-api/pull/22',
      },
      {
        type: 'ticket',
        key: 'PAY-142',
        url: 'https://jira.fleetdeck.example/browse/PAY-142',
      },
    ]);
    expect(
      linker.pullRequestNumbers(
        'Merge pull request #13 from fleetdeck/feature',
      ),
    ).toEqual([13]);
  });
});
