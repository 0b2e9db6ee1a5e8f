import { FakeGitHubServer } from '@fleetdeck/backend-test-utils';
import {
  ChangeDetail,
  ChangeInput,
  ChangeSummary,
  SearchQuery,
  SearchResponse,
} from '@fleetdeck/plugin-changes-common';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import {
  catalogYaml,
  createFleet,
  byHand,
  ByHand,
  fleetServices,
  gitIn,
  mapLimited,
  MEMBERSHIPS,
  seededRandom,
} from './__testUtils__/fleet';
import {
  ChangesBackendProcesses,
  missingPostgres,
  postgresConnectionString,
} from './__testUtils__/processHarness';
import { HIDDEN_GROUP, RESTRICTED_USER } from './__testUtils__/testPolicy';

// 300 repositories through real processes on CI's 2-core machine, beside
// the catalog's kill test: 415 s, 522 s and just over 900 s in three runs
// (each git process costs ~18 ms here); each phase below has its own limit.
jest.setTimeout(1_800_000);

const COUNT = 300;
const ALICE = 'user:default/alice';
const SEED = Number(process.env.CHANGES_TEST_SEED ?? 13);
const services = fleetServices(COUNT);

const bump: ChangeInput = {
  title: 'Node 18 → 20 and express 4.21.2',
  description: 'Node 18 leaves LTS.',
  targets: {},
  concurrency: 8,
  recipe: [
    {
      type: 'setField',
      files: ['package.json'],
      path: 'dependencies.express',
      value: '4.21.2',
    },
    {
      type: 'replace',
      files: ['Dockerfile'],
      pattern: '^FROM node:18(\\S*)',
      flags: 'm',
      replacement: 'FROM node:20$1',
    },
  ],
};

const search: SearchQuery = { query: 'node:18' };

/** Prints how long each phase took, as it ends. */
function stopwatch(label: string) {
  const started = Date.now();
  let last = started;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return {
    lap(phase: string) {
      const now = Date.now();
      // eslint-disable-next-line no-console
      console.log(`${label}: ${phase}: ${seconds(now - last)}`);
      last = now;
    },
    total() {
      // eslint-disable-next-line no-console
      console.log(`${label}: total ${seconds(Date.now() - started)}`);
    },
  };
}

let github: FakeGitHubServer;
/**
 * Per service, `git diff` after the change's edit by hand in a fresh clone,
 * and what `git grep -n -I -F node:18 HEAD` finds. Made while the first
 * backend starts.
 */
let handMade: Promise<Map<string, ByHand>>;

beforeAll(async () => {
  const time = stopwatch(`The fleet: ${COUNT} repositories on a fake GitHub`);
  github = new FakeGitHubServer();
  await github.start();
  await createFleet(github, services);
  time.lap('repositories created');
  time.total();
  const started = Date.now();
  handMade = byHand(github, services, search.query).then(result => {
    // eslint-disable-next-line no-console
    console.log(
      `300 fresh clones edited by hand, and 300 git greps: ${(
        (Date.now() - started) /
        1000
      ).toFixed(1)} s`,
    );
    return result;
  });
  // awaited by the tests; a failure is theirs
  handMade.catch(() => undefined);
});

afterAll(async () => {
  await github?.stop();
});

// The 300-repository crash test takes minutes per database, so it runs once:
// on PostgreSQL where one is configured (.ci/run always configures one; see
// the harness for CI without it), else on SQLite. Both databases' claim,
// takeover and idempotent-apply paths are covered by ChangeStore.test.ts and
// ChangesService.test.ts.
const clients: ('better-sqlite3' | 'pg')[] = [
  postgresConnectionString() ? 'pg' : 'better-sqlite3',
];

describe.each(clients)('changes in real backend processes on %s', client => {
  let procs: ChangesBackendProcesses;
  let change: ChangeSummary | undefined;

  beforeAll(async () => {
    procs = await ChangesBackendProcesses.create(client);
    mkdirSync(join(procs.dir, 'catalog'));
    writeFileSync(
      join(procs.dir, 'catalog', 'fleet.yaml'),
      catalogYaml(github, services),
    );
  });

  afterAll(async () => {
    await procs?.close();
  });

  function start() {
    const host = new URL(github.url).host;
    return procs.start({
      memberships: MEMBERSHIPS,
      config: {
        permission: { enabled: true },
        catalog: {
          rules: [{ allow: ['Component', 'Group', 'User', 'Location'] }],
          locations: [
            {
              type: 'file',
              target: join(procs.dir, 'catalog', 'fleet.yaml'),
            },
          ],
        },
        integrations: {
          github: [
            { host, apiBaseUrl: github.apiBaseUrl, token: github.token },
          ],
        },
        changes: {
          workDir: join(procs.dir, 'work'),
          git: { allowedHosts: [host], allowedHttpHosts: [host] },
          committer: { name: 'Fleetdeck', email: 'fleetdeck@bank.example' },
          // a killed backend's claims are taken over 3 s after its last heartbeat
          worker: { heartbeatSeconds: 1, staleSeconds: 3 },
        },
      },
    });
  }

  /**
   * Reads until `done`, once a second by default: each read of a change
   * returns its 300 repositories, and every phase waited for takes minutes.
   */
  async function waitFor<T>(
    what: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs: number,
    pollMs = 1000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let reported = Date.now();
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() - reported > 20_000) {
        reported = Date.now();
        // eslint-disable-next-line no-console
        console.log(
          `Waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for ${what}: ${JSON.stringify(value).slice(
            0,
            2000,
          )}\n${procs.logs().slice(-3000)}`,
        );
      }
      await new Promise(r => setTimeout(r, pollMs));
    }
  }

  const getChange = (id: string) =>
    procs.ok<ChangeDetail>('GET', `/api/changes/changes/${id}`, ALICE);

  /** The counts of the change, with the errors of failed rows (for messages). */
  const progress = async (id: string) => {
    const c = await getChange(id);
    return {
      state: c.state,
      counts: c.counts,
      errors: c.repositories.filter(r => r.error).map(r => r.error),
    };
  };

  it('previews 300 repositories as git diff shows the edit by hand, survives kill -9 mid-apply, and opens exactly one branch, commit and pull request in each', async () => {
    const time = stopwatch(`Change on ${client}`);
    await start();
    await waitFor(
      'the catalog',
      () =>
        procs.ok<{ totalItems: number }>(
          'GET',
          '/api/catalog/entities/by-query?filter=kind=component&limit=1',
          ALICE,
        ),
      r => r.totalItems === COUNT,
      180_000,
    );
    time.lap('backend started, catalog ingested');

    const created = await procs.ok<ChangeSummary>(
      'POST',
      '/api/changes/changes',
      ALICE,
      bump,
    );
    change = created;
    expect(created).toMatchObject({ total: COUNT, state: 'previewing' });
    const previewed = await waitFor(
      'the previews',
      () => progress(created.id),
      p => p.state !== 'previewing',
      600_000,
    );
    expect(previewed.counts).toEqual({ previewed: COUNT });
    time.lap('300 previews');

    const hand = await handMade;
    const mismatched: string[] = [];
    await mapLimited(services, 8, async s => {
      const { diff } = await procs.ok<{ diff: string }>(
        'GET',
        `/api/changes/changes/${created.id}/diff?entityRef=${encodeURIComponent(
          s.entityRef,
        )}`,
        ALICE,
      );
      if (diff !== hand.get(s.name)!.diff) mismatched.push(s.name);
    });
    expect(mismatched).toEqual([]);
    // a sanity check on the comparison itself
    expect(hand.get('svc-001')!.diff).toContain(
      '-FROM node:18-alpine AS build',
    );
    expect(hand.get('svc-001')!.diff).toContain('+    "express": "4.21.2"');
    // the preview pushed nothing
    const branchRef = `refs/heads/${created.branch}`;
    expect(github.pushes.filter(p => p.ref === branchRef)).toEqual([]);
    time.lap('300 diffs compared');

    await procs.ok(
      'POST',
      `/api/changes/changes/${created.id}/apply`,
      ALICE,
      {},
    );
    const random = seededRandom(SEED + clients.indexOf(client));
    const killAt = Math.floor(COUNT * (0.2 + random() * 0.5));
    await waitFor(
      `${killAt} pull requests`,
      () => progress(created.id),
      p => (p.counts.pr_open ?? 0) >= killAt,
      600_000,
      // close to the aimed moment
      200,
    );
    await procs.kill();
    const rows = procs.changes()('changes_repositories').where({
      change_id: created.id,
    });
    const inFlight = await rows.clone().whereNotNull('claimed_by');
    const openAtKill = await rows.clone().where({ state: 'pr_open' });
    // it really died mid-apply, with repositories in hand
    expect(inFlight.length).toBeGreaterThan(0);
    expect(openAtKill.length).toBeLessThan(COUNT);
    time.lap(
      `apply, kill -9 at ${openAtKill.length} pull requests (aimed at ${killAt}, seed ${SEED}), ${inFlight.length} repositories in flight`,
    );

    await start();
    const applied = await waitFor(
      'every pull request',
      () => progress(created.id),
      p => p.state === 'applied',
      600_000,
    );
    expect(applied.counts).toEqual({ pr_open: COUNT });
    time.lap('restarted, the rest applied');

    const detail = await getChange(created.id);
    const byRef = new Map(detail.repositories.map(r => [r.entityRef, r]));
    // the repositories the dead backend held were taken over
    expect(
      detail.repositories.filter(r => r.attempts > 1).length,
    ).toBeGreaterThan(0);

    const pulls = services.flatMap(s =>
      github.pullRequests(s.org, s.name).filter(p => p.head === created.branch),
    );
    expect(pulls).toHaveLength(COUNT);
    const problems = await mapLimited(services, 4, async s => {
      const gitDir = github.gitDir(`${s.org}/${s.name}`);
      const row = byRef.get(s.entityRef);
      const prs = github
        .pullRequests(s.org, s.name)
        .filter(p => p.head === created.branch);
      const branches = (
        await gitIn(gitDir, ['for-each-ref', '--format=%(refname)'])
      )
        .split('\n')
        .filter(r => r.startsWith(branchRef));
      const head = await gitIn(gitDir, ['rev-parse', branchRef]);
      const ahead = await gitIn(gitDir, [
        'rev-list',
        '--count',
        `main..${branchRef}`,
      ]);
      const pushes = github.pushes.filter(
        p => p.repository === `${s.org}/${s.name}` && p.ref === branchRef,
      );
      const found = {
        pullRequests: prs.map(p => p.number),
        branches,
        commitsOnMain: ahead,
        rowCommitIsHead: row?.commitSha === head,
        rowPullRequest: row?.pullRequest?.number,
        pushedCommits: [...new Set(pushes.map(p => p.after))].length,
        acceptedPushes: pushes.filter(p => p.accepted).length,
      };
      const wanted = {
        pullRequests: [prs[0]?.number ?? -1],
        branches: [branchRef],
        commitsOnMain: '1',
        rowCommitIsHead: true,
        rowPullRequest: prs[0]?.number ?? -1,
        pushedCommits: 1,
        acceptedPushes: 1,
      };
      return JSON.stringify(found) === JSON.stringify(wanted)
        ? undefined
        : { repository: s.name, found };
    });
    expect(problems.filter(Boolean)).toEqual([]);
    time.lap('300 repositories checked on the fake');
    time.total();
  });

  it('searches the mirrors as git grep does, and never shows or changes what the catalog hides from the user', async () => {
    expect(change).toBeDefined(); // the previews made the mirrors
    const time = stopwatch(`Search on ${client}`);
    const hand = await handMade;
    const asExpected = (refs: Set<string>) =>
      Object.fromEntries(
        services
          .filter(s => refs.has(s.entityRef))
          .map(s => [s.entityRef, hand.get(s.name)!.grep])
          .filter(([, lines]) => lines.length),
      );
    const found = (response: SearchResponse) =>
      Object.fromEntries(
        response.results.map(r => [
          r.entityRef,
          r.matches.map(m => ({ path: m.path, line: m.line, text: m.text })),
        ]),
      );

    const all = await procs.ok<SearchResponse>(
      'POST',
      '/api/changes/search',
      ALICE,
      search,
    );
    expect(all.failed).toEqual([]);
    expect(all.searched).toBe(COUNT);
    const everything = new Set(services.map(s => s.entityRef));
    expect(Object.keys(asExpected(everything))).toHaveLength(COUNT);
    expect(found(all)).toEqual(asExpected(everything));
    time.lap(`search as ${ALICE}`);

    const visible = new Set(
      services.filter(s => s.owner !== HIDDEN_GROUP).map(s => s.entityRef),
    );
    const restricted = await procs.ok<SearchResponse>(
      'POST',
      '/api/changes/search',
      RESTRICTED_USER,
      search,
    );
    expect(restricted.failed).toEqual([]);
    expect(restricted.searched).toBe(visible.size);
    expect(restricted.results.filter(r => r.owner === HIDDEN_GROUP)).toEqual(
      [],
    );
    expect(found(restricted)).toEqual(asExpected(visible));
    time.lap(`search as ${RESTRICTED_USER}`);

    // nor can the user target them with a change
    const hidden = services.find(s => s.owner === HIDDEN_GROUP)!;
    const shown = services.find(s => s.owner !== HIDDEN_GROUP)!;
    const byOwner = await procs.api<{ error: { message: string } }>(
      'POST',
      '/api/changes/changes',
      RESTRICTED_USER,
      { ...bump, targets: { owner: [HIDDEN_GROUP] } },
    );
    expect(byOwner.status).toBe(400);
    expect(byOwner.body.error.message).toMatch(/select no entity you may read/);
    const byRef = await procs.ok<ChangeSummary>(
      'POST',
      '/api/changes/changes',
      RESTRICTED_USER,
      {
        ...bump,
        branch: 'fleetdeck/restricted',
        targets: { entityRefs: [hidden.entityRef, shown.entityRef] },
      },
    );
    expect(byRef.total).toBe(1);
    const targeted = await procs.ok<ChangeDetail>(
      'GET',
      `/api/changes/changes/${byRef.id}`,
      RESTRICTED_USER,
    );
    expect(targeted.repositories.map(r => r.entityRef)).toEqual([
      shown.entityRef,
    ]);
    time.lap('changes refused');
    time.total();
  });
});

// without PostgreSQL: a failure in CI, a skip with a message on a workstation
const missing = missingPostgres();
if (missing?.fail) {
  describe('changes in real backend processes on PostgreSQL', () => {
    // eslint-disable-next-line jest/expect-expect
    it('runs where CI provides PostgreSQL', () => {
      throw new Error(missing.message);
    });
  });
} else if (missing) {
  // eslint-disable-next-line no-console
  console.warn(
    `changes in real backend processes on PostgreSQL: ${missing.message}`,
  );
}
