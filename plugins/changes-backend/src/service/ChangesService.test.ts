import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { FakeGitHubServer } from '@fleetdeck/backend-test-utils';
import {
  ChangeDetail,
  changeInputSchema,
  ChangeInput,
} from '@fleetdeck/plugin-changes-common';
import { execFile, execFileSync } from 'child_process';
import { promisify } from 'util';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ChangeStore } from '../database/ChangeStore';
import { migrate } from '../database/migrate';
import { DefaultRepositoryAccess } from '../git/DefaultRepositoryAccess';
import { reviewHostFor } from '../hosts';
import { TrustedRecipes } from '../recipes';
import { CodeSearch } from '../search';
import { ChangeWorker } from '../work/ChangeWorker';
import { Person, RepositoryWork } from '../work/RepositoryWork';
import { ChangesService } from './ChangesService';
import { PullRequestTracker } from './PullRequestTracker';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const SERVICES = ['payments-api', 'ledger', 'cards'];
const alice = mockCredentials.user('user:default/alice');
const bob = mockCredentials.user('user:default/bob');

function packageJson(name: string) {
  return `${JSON.stringify(
    {
      name,
      version: '1.0.0',
      dependencies: { express: '4.18.2', zod: '3.22.0' },
    },
    null,
    2,
  )}\n`;
}

const dockerfile = (extra: string) =>
  `FROM node:18-alpine AS build\nWORKDIR /app\nCOPY . .\n${extra}FROM node:18-alpine\nCMD ["node", "index.js"]\n`;

const bump: ChangeInput = {
  title: 'Node 18 → 20 and express 4.21.2',
  description: 'Node 18 leaves LTS.',
  targets: {},
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

describe.each(databases.eachSupportedId())(
  'ChangesService on %s',
  databaseId => {
    let github: FakeGitHubServer;
    let workDir: string;
    let worker: ChangeWorker | undefined;

    beforeAll(async () => {
      // a branch protection rule that also covers the change's branch name
      github = new FakeGitHubServer({
        protectedBranches: ['main', 'fleetdeck/protected'],
      });
      await github.start();
      for (const [i, name] of SERVICES.entries()) {
        await github.createRepository('bank', name, {
          'package.json': packageJson(name),
          Dockerfile: dockerfile(i === 1 ? 'RUN npm ci\n' : ''),
          'README.md': `# ${name}\n`,
        });
      }
    });

    afterAll(async () => {
      await github.stop();
    });

    beforeEach(() => {
      workDir = mkdtempSync(join(tmpdir(), 'changes-service-'));
    });

    afterEach(async () => {
      await worker?.stop();
      worker = undefined;
      rmSync(workDir, { recursive: true, force: true });
    });

    function entity(
      name: string,
      repo: string,
      owner = 'group:default/payments',
    ): Entity {
      return {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name,
          namespace: 'default',
          annotations: { 'fleetdeck.io/git-repo': repo },
        },
        spec: { type: 'service', lifecycle: 'production', owner },
        relations: [{ type: 'ownedBy', targetRef: owner }],
      };
    }

    async function setup(
      options: {
        denyApplyFor?: (userRef: string, entityRef: string) => boolean;
        author?: (userRef: string) => Promise<Person>;
        recipes?: TrustedRecipes;
      } = {},
    ) {
      const knex = await databases.init(databaseId);
      await migrate(knex);
      const store = new ChangeStore(knex);
      const host = new URL(github.url).host;
      const config = new ConfigReader({
        integrations: {
          github: [
            { host, apiBaseUrl: github.apiBaseUrl, token: github.token },
          ],
        },
        changes: { git: { allowedHosts: [host], allowedHttpHosts: [host] } },
      });
      const logger = mockServices.logger.mock();
      const access = DefaultRepositoryAccess.fromConfig(config, {
        workDir,
        logger,
      });
      const catalog = catalogServiceMock({
        entities: [
          ...SERVICES.map(s => entity(s, `${github.url}/bank/${s}.git`)),
          entity('outsider', 'https://evil.example/bank/outsider.git'),
        ],
      });
      const permissions = mockServices.permissions.mock({
        authorize: async (requests, opts) => {
          const user = (opts.credentials.principal as { userEntityRef: string })
            .userEntityRef;
          return requests.map(r => ({
            result:
              'resourceRef' in r &&
              r.resourceRef &&
              options.denyApplyFor?.(user, r.resourceRef)
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          }));
        },
      });
      const auditor = mockServices.auditor.mock();
      const work = new RepositoryWork({
        access,
        hostFor: reviewHostFor,
        workDir,
        committer: { name: 'Fleetdeck', email: 'fleetdeck@example.com' },
      });
      worker = new ChangeWorker({
        store,
        work,
        logger,
        auditor,
        author:
          options.author ??
          (async ref => ({
            name: ref.split('/')[1],
            email: `${ref.split('/')[1]}@bank.example`,
          })),
        pollMs: 100,
      });
      const deps = {
        store,
        catalog,
        permissions,
        auditor,
        logger,
        access,
        search: new CodeSearch({ mirrors: access.mirrors, logger }),
        tracker: new PullRequestTracker({
          store,
          access,
          hostFor: reviewHostFor,
          logger,
        }),
        wake: () => worker?.wake(),
      };
      const service = new ChangesService({ ...deps, recipes: options.recipes });
      worker.start();
      /** The service as a restarted backend with other recipes in its config. */
      const restartedWith = (recipes: TrustedRecipes) =>
        new ChangesService({ ...deps, recipes });
      return { service, store, auditor, access, restartedWith };
    }

    async function settled(
      service: ChangesService,
      id: string,
      done: (c: ChangeDetail) => boolean,
    ): Promise<ChangeDetail> {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const change = await service.get(id, { credentials: alice });
        if (done(change)) return change;
        if (Date.now() > deadline) {
          throw new Error(
            `not settled: ${JSON.stringify(change.counts)} ${change.repositories
              .map(r => r.error)
              .join(' ')}`,
          );
        }
        await new Promise(r => setTimeout(r, 100));
      }
    }

    /**
     * The same edit made by hand in a fresh clone, and `git diff` of it (git
     * runs asynchronously: the fake server answering it is in this process).
     */
    async function diffByHand(name: string): Promise<string> {
      const dir = mkdtempSync(join(tmpdir(), 'by-hand-'));
      try {
        const url = `${github.url}/bank/${name}.git`.replace(
          '://',
          `://x:${github.token}@`,
        );
        await promisify(execFile)('git', ['clone', '--quiet', url, dir]);
        const pkg = readFileSync(join(dir, 'package.json'), 'utf8');
        writeFileSync(
          join(dir, 'package.json'),
          pkg.replace('"express": "4.18.2"', '"express": "4.21.2"'),
        );
        const docker = readFileSync(join(dir, 'Dockerfile'), 'utf8');
        writeFileSync(
          join(dir, 'Dockerfile'),
          docker.replace(/^FROM node:18/gm, 'FROM node:20'),
        );
        return execFileSync('git', ['diff'], { cwd: dir, encoding: 'utf8' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it('previews each repository as git diff shows the same edit by hand, then opens one pull request per repository', async () => {
      const { service, auditor } = await setup();
      const created = await service.create(changeInputSchema.parse(bump), {
        credentials: alice,
      });
      expect(created.total).toBe(4);

      const previewed = await settled(
        service,
        created.id,
        c => c.state === 'ready',
      );
      expect(previewed.counts).toEqual({ previewed: 3, failed: 1 });
      const outsider = previewed.repositories.find(r =>
        r.entityRef.endsWith('/outsider'),
      );
      expect(outsider?.error).toMatch(
        /evil\.example is not in changes\.git\.allowedHosts/,
      );
      for (const name of SERVICES) {
        const { diff } = await service.diff(
          created.id,
          `component:default/${name}`,
          { credentials: alice },
        );
        expect(diff).toBe(await diffByHand(name));
      }
      expect(github.pullRequests('bank', 'ledger')).toHaveLength(0);

      await service.apply(created.id, undefined, { credentials: alice });
      const applied = await settled(
        service,
        created.id,
        c => c.state === 'applied',
      );
      expect(applied.counts).toEqual({ pr_open: 3, failed: 1 });
      for (const name of SERVICES) {
        const pulls = github.pullRequests('bank', name);
        expect(pulls).toHaveLength(1);
        const repo = applied.repositories.find(
          r => r.entityRef === `component:default/${name}`,
        )!;
        expect(repo.pullRequest?.number).toBe(pulls[0].number);
        // one commit on the default branch, authored by the person who applied
        const gitDir = github.gitDir(`bank/${name}`);
        const log = execFileSync(
          'git',
          ['log', '--format=%an <%ae>|%cn|%s', `main..${created.branch}`],
          { cwd: gitDir, encoding: 'utf8' },
        );
        expect(log.trim().split('\n')).toEqual([
          `alice <alice@bank.example>|Fleetdeck|${bump.title}`,
        ]);
      }
      const events = auditor.createEvent.mock.calls.map(c => c[0].eventId);
      expect(events.filter(e => e === 'change-apply')).toHaveLength(3);
      expect(events).toContain('change-create');
    });

    it('applies again without a second branch, commit or pull request (a retry after a crash)', async () => {
      const { service, store } = await setup();
      const created = await service.create(
        changeInputSchema.parse({
          ...bump,
          targets: { entityRefs: ['component:default/cards'] },
        }),
        { credentials: alice },
      );
      await settled(service, created.id, c => c.state === 'ready');
      await service.apply(created.id, undefined, { credentials: alice });
      const first = await settled(
        service,
        created.id,
        c => c.state === 'applied',
      );
      const pushesBefore = github.pushes.length;

      // as if the worker died after the pull request was opened but before it wrote so
      await store.transition({
        changeId: created.id,
        entityRefs: ['component:default/cards'],
        from: ['pr_open'],
        to: 'queued',
        appliedBy: 'user:default/alice',
      });
      const again = await settled(
        service,
        created.id,
        c => c.state === 'applied',
      );
      expect(again.repositories[0]).toMatchObject({
        state: 'pr_open',
        commitSha: first.repositories[0].commitSha,
        pullRequest: first.repositories[0].pullRequest,
      });
      expect(github.pushes.length).toBe(pushesBefore);
      expect(
        github
          .pullRequests('bank', 'cards')
          .filter(p => p.head === created.branch),
      ).toHaveLength(1);
    });

    it('rebuilds the branch on the new base when the default branch moved, keeping one commit and one pull request', async () => {
      const { service } = await setup();
      const created = await service.create(
        changeInputSchema.parse({
          ...bump,
          branch: 'fleetdeck/rebase-me',
          targets: { entityRefs: ['component:default/ledger'] },
        }),
        { credentials: alice },
      );
      await settled(service, created.id, c => c.state === 'ready');
      await service.apply(created.id, undefined, { credentials: alice });
      const first = await settled(
        service,
        created.id,
        c => c.state === 'applied',
      );
      const newBase = await github.commit('bank/ledger', 'main', {
        'CHANGELOG.md': '# 1.1.0\n',
      });

      await service.updateBranches(created.id, { credentials: alice });
      const updated = await settled(
        service,
        created.id,
        c =>
          c.state === 'applied' &&
          c.repositories[0].commitSha !== first.repositories[0].commitSha,
      );
      const gitDir = github.gitDir('bank/ledger');
      const git = (...args: string[]) =>
        execFileSync('git', args, { cwd: gitDir, encoding: 'utf8' }).trim();
      expect(git('rev-parse', 'fleetdeck/rebase-me^')).toBe(newBase);
      expect(git('rev-parse', 'fleetdeck/rebase-me')).toBe(
        updated.repositories[0].commitSha,
      );
      expect(git('rev-list', '--count', 'main..fleetdeck/rebase-me')).toBe('1');
      expect(
        github
          .pullRequests('bank', 'ledger')
          .filter(p => p.head === 'fleetdeck/rebase-me'),
      ).toHaveLength(1);

      // nothing moved since: updating again pushes nothing
      const pushes = github.pushes.length;
      await service.updateBranches(created.id, { credentials: alice });
      await settled(service, created.id, c => c.state === 'applied');
      expect(github.pushes.length).toBe(pushes);
    });

    it('fails the preview of a catastrophic pattern with a clear error, and stays usable', async () => {
      const { service } = await setup();
      const created = await service.create(
        changeInputSchema.parse({
          title: 'Backtracking',
          targets: { entityRefs: ['component:default/payments-api'] },
          recipe: [
            {
              type: 'replace',
              files: ['Dockerfile'],
              pattern: '^(.*)*X$',
              flags: 'm',
              replacement: 'x',
            },
          ],
        }),
        { credentials: alice },
      );
      const failed = await settled(
        service,
        created.id,
        c => c.state === 'ready',
      );
      expect(failed.repositories[0].error).toMatch(
        /took longer than 2000 ms on Dockerfile/,
      );
    });

    it('searches the repositories the user may read, with owners as full refs and unusable repositories named', async () => {
      const { service, access } = await setup();
      // what the scheduled mirror refresh does
      for (const name of SERVICES) {
        await access.freshMirror(`${github.url}/bank/${name}.git`);
      }
      const found = await service.search(
        { query: 'RUN npm ci', regex: false, ignoreCase: false },
        { credentials: alice },
      );
      expect(found.results).toEqual([
        expect.objectContaining({
          entityRef: 'component:default/ledger',
          owner: 'group:default/payments',
          matches: [
            expect.objectContaining({
              path: 'Dockerfile',
              line: 4,
              text: 'RUN npm ci',
            }),
          ],
        }),
      ]);
      expect(found.failed).toEqual([
        expect.objectContaining({ entityRef: 'component:default/outsider' }),
      ]);
    });

    it("waits for an owner's approval where the requester may not apply", async () => {
      const { service } = await setup({
        denyApplyFor: (user, ref) =>
          user === 'user:default/bob' && ref.endsWith('/ledger'),
      });
      const created = await service.create(
        changeInputSchema.parse({
          ...bump,
          branch: 'fleetdeck/approval',
          targets: {
            entityRefs: [
              'component:default/ledger',
              'component:default/payments-api',
            ],
          },
        }),
        { credentials: bob },
      );
      await settled(service, created.id, c => c.state === 'ready');
      await service.apply(created.id, undefined, { credentials: bob });
      const waiting = await settled(
        service,
        created.id,
        c => c.state === 'applied' && !c.counts.applying && !c.counts.queued,
      );
      expect(waiting.counts).toEqual({ pr_open: 1, awaiting_approval: 1 });
      await expect(
        service.approve(created.id, ['component:default/ledger'], {
          credentials: bob,
        }),
      ).rejects.toThrow(/Only the owners/);
      await service.approve(created.id, ['component:default/ledger'], {
        credentials: alice,
      });
      const done = await settled(
        service,
        created.id,
        c => c.counts.pr_open === 2 && c.state === 'applied',
      );
      expect(done.counts).toEqual({ pr_open: 2 });
    });

    it('writes a hostile title, description and author into the commit and pull request literally, running nothing', async () => {
      const marker = join(workDir, 'pwned');
      const title = `--amend $(touch ${marker}) \`touch ${marker}\` {{ .Values.x }}`;
      const description = `-m\n--no-verify\n$(touch ${marker})\n# not a comment`;
      const { service } = await setup({
        author: async () => ({
          name: `Eve --author=Mallory <m@evil.example> $(touch ${marker})`,
          email: 'eve@bank.example>\n--amend',
        }),
      });
      const created = await service.create(
        changeInputSchema.parse({
          ...bump,
          title,
          description,
          targets: { entityRefs: ['component:default/payments-api'] },
        }),
        { credentials: alice },
      );
      // the branch name is made from the title, and only of safe characters
      expect(created.branch).toMatch(/^[a-z0-9/._-]+$/);
      await settled(service, created.id, c => c.state === 'ready');
      await service.apply(created.id, undefined, { credentials: alice });
      await settled(service, created.id, c => c.state === 'applied');

      const gitDir = github.gitDir('bank/payments-api');
      const log = execFileSync(
        'git',
        ['log', '--format=%an|%ae|%B%x00', `main..${created.branch}`],
        { cwd: gitDir, encoding: 'utf8' },
      );
      expect(log.split('\0').filter(l => l.trim())).toEqual([
        `Eve --author=Mallory m@evil.example $(touch ${marker})|eve@bank.example--amend|${title}\n\n${description}\n\nFleetdeck-Change: ${created.id}\n`,
      ]);
      const [pull] = github
        .pullRequests('bank', 'payments-api')
        .filter(p => p.head === created.branch);
      expect(pull.title).toBe(title);
      expect(existsSync(marker)).toBe(false);
    });

    it('leaves a repository where the recipe matches nothing as "no change", with no branch or pull request', async () => {
      const { service } = await setup();
      const created = await service.create(
        changeInputSchema.parse({
          title: 'Nothing to do',
          targets: { entityRefs: ['component:default/payments-api'] },
          recipe: [
            {
              type: 'replace',
              files: ['Dockerfile'],
              pattern: 'node:14',
              fixedString: true,
              replacement: 'node:20',
            },
          ],
        }),
        { credentials: alice },
      );
      const previewed = await settled(
        service,
        created.id,
        c => c.state === 'ready',
      );
      expect(previewed.counts).toEqual({ no_change: 1 });
      await expect(
        service.apply(created.id, undefined, { credentials: alice }),
      ).resolves.toMatchObject({
        counts: { no_change: 1 },
      });
    });

    it("fails the repository whose protected branch refuses the push, with the server's message", async () => {
      const { service } = await setup();
      const created = await service.create(
        changeInputSchema.parse({
          ...bump,
          branch: 'fleetdeck/protected',
          targets: { entityRefs: ['component:default/ledger'] },
        }),
        { credentials: alice },
      );
      await settled(service, created.id, c => c.state === 'ready');
      await service.apply(created.id, undefined, { credentials: alice });
      const failed = await settled(
        service,
        created.id,
        c => c.counts.failed === 1,
      );
      expect(failed.repositories[0].error).toMatch(
        /GH006: Protected branch update failed for refs\/heads\/fleetdeck\/protected/,
      );
    });

    it('refuses command steps from the API, and tracks merged pull requests', async () => {
      const { service } = await setup();
      await expect(
        service.create(
          changeInputSchema.parse({
            ...bump,
            recipe: [{ type: 'command', command: ['touch', 'x'] }],
          }),
          { credentials: alice },
        ),
      ).rejects.toThrow(/trusted source/);

      const created = await service.create(
        changeInputSchema.parse({
          ...bump,
          branch: 'fleetdeck/merge-me',
          targets: { entityRefs: ['component:default/payments-api'] },
        }),
        { credentials: alice },
      );
      await settled(service, created.id, c => c.state === 'ready');
      await service.apply(created.id, undefined, { credentials: alice });
      const open = await settled(
        service,
        created.id,
        c => c.counts.pr_open === 1,
      );
      await github.merge(
        'bank',
        'payments-api',
        open.repositories[0].pullRequest!.number!,
      );
      await service.refresh(created.id, { credentials: alice });
      const merged = await service.get(created.id, { credentials: alice });
      expect(merged.repositories[0].state).toBe('merged');
    });

    describe('recipes configured in changes.recipes (the trusted source)', () => {
      // writes its own argv (from /proc, as the kernel got it) and its environment into the checkout
      const script = [
        `tr '\\0' '\\n' < /proc/$$/cmdline > argv.txt`,
        'env | sort > env.txt',
        `test -e .editorconfig || printf 'root = true\\n' > .editorconfig`,
      ].join('; ');
      const stamp = ['sh', '-c', script, 'stamp', 'two words', '$(id)'];
      const recipesConfig = (command: string[]) => ({
        changes: {
          recipes: {
            'add-editorconfig': {
              title: 'Add an .editorconfig',
              steps: [{ type: 'command', command }],
            },
          },
        },
      });
      const configured = (command = stamp) =>
        TrustedRecipes.fromConfig(new ConfigReader(recipesConfig(command)));

      /** The lines a diff adds to one file. */
      function added(diff: string, path: string): string[] {
        const file = diff
          .split(/^diff --git /m)
          .find(d => d.startsWith(`a/${path} `));
        return (file ?? '')
          .split('\n')
          .filter(l => l.startsWith('+') && !l.startsWith('+++'))
          .map(l => l.slice(1));
      }

      it("runs the recipe's command in each checkout, with the configured argv only, never the change's title or description", async () => {
        const marker = join(workDir, 'pwned');
        const title = `$(touch ${marker}) \`touch ${marker}\` --help`;
        const description = `-c\n$(touch ${marker})\n'; touch ${marker}; '`;
        const { service, store, auditor } = await setup({
          recipes: configured(),
        });
        const created = await service.create(
          changeInputSchema.parse({
            title,
            description,
            recipeName: 'add-editorconfig',
            targets: { entityRefs: ['component:default/payments-api'] },
          }),
          { credentials: alice },
        );
        expect(Boolean((await store.getChangeRow(created.id)).trusted)).toBe(
          true,
        );
        const previewed = await settled(
          service,
          created.id,
          c => c.state === 'ready',
        );
        expect(previewed.repositories[0]).toMatchObject({
          state: 'previewed',
          files: [
            { path: '.editorconfig', added: 1, removed: 0 },
            { path: 'argv.txt', added: stamp.length, removed: 0 },
            { path: 'env.txt', added: expect.any(Number), removed: 0 },
          ],
        });
        // the steps are the recipe's, copied into the change
        expect(previewed.recipe).toEqual([
          { type: 'command', command: stamp, timeoutSeconds: 60 },
        ]);
        const { diff } = await service.diff(
          created.id,
          'component:default/payments-api',
          { credentials: alice },
        );
        expect(added(diff, '.editorconfig')).toEqual(['root = true']);
        expect(added(diff, 'argv.txt')).toEqual(stamp);
        expect(added(diff, 'env.txt').join('\n')).not.toMatch(
          /touch|--help|stamp|alice/,
        );
        expect(diff).not.toContain(marker);
        expect(existsSync(marker)).toBe(false);
        expect(auditor.createEvent).toHaveBeenCalledWith(
          expect.objectContaining({
            eventId: 'change-create',
            meta: expect.objectContaining({
              changeId: created.id,
              recipeName: 'add-editorconfig',
            }),
          }),
        );
      });

      it('refuses the same command steps sent with the change', async () => {
        const { service } = await setup({ recipes: configured() });
        const inline = service.create(
          changeInputSchema.parse({
            title: 'Add an .editorconfig',
            targets: { entityRefs: ['component:default/payments-api'] },
            recipe: configured().get('add-editorconfig')!.steps,
          }),
          { credentials: alice },
        );
        await expect(inline).rejects.toMatchObject({
          name: 'InputError',
          message: expect.stringMatching(
            /^command steps run only in changes from a trusted source/,
          ),
        });
        expect(
          (await service.list({ limit: 10 }, { credentials: alice })).items,
        ).toEqual([]);
      });

      it('refuses an unknown or hostile recipe name, naming the configured recipes, running nothing', async () => {
        const marker = join(workDir, 'pwned');
        const { service, restartedWith } = await setup({
          recipes: configured(),
        });
        const input = (recipeName: string) => ({
          title: 'x',
          targets: { entityRefs: ['component:default/payments-api'] },
          recipeName,
        });
        for (const hostile of [
          '../x',
          `$(touch ${marker})`,
          'Add-Editorconfig',
        ]) {
          expect(() => changeInputSchema.parse(input(hostile))).toThrow(
            /a recipe name is lowercase letters and digits joined by single dashes/,
          );
        }
        // past the schema too (a caller that skipped it): only a configured name finds anything
        for (const name of [
          'node-20',
          '../x',
          `$(touch ${marker})`,
          '__proto__',
          'constructor',
        ]) {
          await expect(
            service.create(
              {
                ...changeInputSchema.parse(input('node-20')),
                recipeName: name,
              },
              { credentials: alice },
            ),
          ).rejects.toMatchObject({
            name: 'InputError',
            message: `No recipe named ${JSON.stringify(
              name,
            )} in changes.recipes; the configured recipes are add-editorconfig`,
          });
        }
        await expect(
          restartedWith(TrustedRecipes.empty()).create(
            changeInputSchema.parse(input('add-editorconfig')),
            { credentials: alice },
          ),
        ).rejects.toThrow(
          'No recipe named "add-editorconfig" in changes.recipes; no recipe is configured',
        );
        expect(existsSync(marker)).toBe(false);
      });

      it('keeps the steps a change was made with when the recipe is edited in config later', async () => {
        const v1 = ['sh', '-c', `printf 'v1\\n' > version.txt`];
        const v2 = ['sh', '-c', `printf 'v2\\n' > version.txt`];
        const { service, restartedWith } = await setup({
          recipes: configured(v1),
        });
        const input = changeInputSchema.parse({
          title: 'Version file',
          recipeName: 'add-editorconfig',
          targets: { entityRefs: ['component:default/ledger'] },
        });
        const before = await service.create(input, { credentials: alice });

        const restarted = restartedWith(configured(v2));
        const old = await settled(
          restarted,
          before.id,
          c => c.state === 'ready',
        );
        expect(old.recipe).toEqual([
          { type: 'command', command: v1, timeoutSeconds: 60 },
        ]);
        const oldDiff = await restarted.diff(
          before.id,
          'component:default/ledger',
          { credentials: alice },
        );
        expect(added(oldDiff.diff, 'version.txt')).toEqual(['v1']);

        const after = await restarted.create(input, { credentials: alice });
        const fresh = await settled(
          restarted,
          after.id,
          c => c.state === 'ready',
        );
        expect(fresh.recipe[0]).toMatchObject({ command: v2 });
        expect(
          (await restarted.get(before.id, { credentials: alice })).recipe,
        ).toEqual(old.recipe);
      });
    });
  },
);
