import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { FakeGitHubServer } from '@fleetdeck/backend-test-utils';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ChangeStore } from '../database/ChangeStore';
import { migrate } from '../database/migrate';
import { DefaultRepositoryAccess } from '../git/DefaultRepositoryAccess';
import { reviewHostFor } from '../hosts';
import { TrustedRecipes } from '../recipes';
import { CodeSearch } from '../search';
import { ChangesService } from '../service/ChangesService';
import { PullRequestTracker } from '../service/PullRequestTracker';
import { ChangeWorker } from '../work/ChangeWorker';
import { RepositoryWork } from '../work/RepositoryWork';
import { registerChangesActions } from '.';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const alice = mockCredentials.user('user:default/alice');
const bob = mockCredentials.user('user:default/bob');

const packageJson = (dependencies: Record<string, string>) =>
  `${JSON.stringify(
    { name: 'svc', version: '1.0.0', dependencies },
    null,
    2,
  )}\n`;

const REPOS: Record<string, Record<string, string>> = {
  'payments-api': { express: '4.18.2' },
  ledger: { express: '4.18.2', zod: '3.22.0' },
  cards: { koa: '2.15.0' },
};

const bump = {
  title: 'express 4.21.2',
  description: 'CVE-2024-43796',
  targets: {
    entityRefs: ['component:default/payments-api', 'component:default/ledger'],
  },
  recipe: [
    {
      type: 'setField',
      files: ['package.json'],
      path: 'dependencies.express',
      value: '4.21.2',
    },
  ],
};

describe('the actions-registry actions of the changes plugin', () => {
  let github: FakeGitHubServer;
  let workDir: string;
  let worker: ChangeWorker | undefined;

  beforeAll(async () => {
    github = new FakeGitHubServer();
    await github.start();
    for (const [name, dependencies] of Object.entries(REPOS)) {
      await github.createRepository('bank', name, {
        'package.json': packageJson(dependencies),
      });
    }
  });
  afterAll(() => github.stop());

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'changes-actions-'));
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    rmSync(workDir, { recursive: true, force: true });
  });

  const entity = (name: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'fleetdeck.io/git-repo': `${github.url}/bank/${name}.git`,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'group:payments' },
  });

  /** A real ChangesService; `denied` names the permissions bob lacks. */
  async function setup(denied: string[] = []) {
    const knex = await databases.init('SQLITE_3');
    await migrate(knex);
    const store = new ChangeStore(knex);
    const host = new URL(github.url).host;
    const logger = mockServices.logger.mock();
    const access = DefaultRepositoryAccess.fromConfig(
      new ConfigReader({
        integrations: {
          github: [
            { host, apiBaseUrl: github.apiBaseUrl, token: github.token },
          ],
        },
        changes: { git: { allowedHosts: [host], allowedHttpHosts: [host] } },
      }),
      { workDir, logger },
    );
    const entities = Object.keys(REPOS).map(entity);
    // search reads mirrors kept fresh by a scheduled task in the plugin
    await Promise.all(
      entities.map(e => access.mirrors.ensure(access.resolve(e))),
    );
    const permissions = mockServices.permissions.mock({
      authorize: async (requests, { credentials }) =>
        requests.map(r => ({
          result:
            (credentials.principal as { userEntityRef?: string })
              .userEntityRef === 'user:default/bob' &&
            denied.includes(r.permission.name)
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })),
    });
    const tracker = new PullRequestTracker({
      store,
      access,
      hostFor: reviewHostFor,
      logger,
    });
    worker = new ChangeWorker({
      store,
      work: new RepositoryWork({
        access,
        hostFor: reviewHostFor,
        workDir,
        committer: { name: 'Fleetdeck', email: 'fleetdeck@example.com' },
      }),
      logger,
      author: async () => ({ name: 'alice', email: 'alice@bank.example' }),
      pollMs: 100,
    });
    const service = new ChangesService({
      store,
      catalog: catalogServiceMock({ entities }),
      permissions,
      logger,
      access,
      search: new CodeSearch({ mirrors: access.mirrors, logger }),
      tracker,
      recipes: TrustedRecipes.fromConfig(
        new ConfigReader({
          changes: {
            recipes: {
              'bump-express': {
                title: 'express 4.21.2',
                steps: [
                  {
                    type: 'command',
                    command: ['sed', '-i', 's/4.18.2/4.21.2/', 'package.json'],
                  },
                ],
              },
            },
          },
        }),
      ),
      wake: () => worker?.wake(),
    });
    worker.start();
    const actionsRegistry = actionsRegistryServiceMock();
    registerChangesActions({ actionsRegistry, service });
    const invoke = async (
      name: string,
      input: JsonObject,
      credentials: BackstageCredentials = alice,
    ) => {
      const { output } = await actionsRegistry.invoke({
        id: `test:${name}`,
        input,
        credentials,
      });
      return output as JsonObject;
    };
    return { actionsRegistry, invoke };
  }

  it('offers search-code, create-change and get-change-preview, with the recipe steps spelled out for the caller', async () => {
    const { actionsRegistry } = await setup();
    const { actions } = await actionsRegistry.list();
    expect(
      actions.map(a => [
        a.name,
        a.attributes.readOnly,
        a.attributes.destructive,
      ]),
    ).toEqual([
      ['search-code', true, false],
      ['create-change', false, false],
      ['get-change-preview', true, false],
    ]);
    const create = actions.find(a => a.name === 'create-change')!;
    // the steps, or the name of a configured recipe
    expect(create.schema.input.required).toEqual(['title', 'targets']);
    expect(Object.keys(create.schema.input.properties ?? {})).toEqual(
      expect.arrayContaining(['recipe', 'recipeName']),
    );
    expect(JSON.stringify(create.schema.input)).toContain('"setField"');
    expect(JSON.stringify(create.schema.input)).not.toContain('"command"');
  });

  it('search-code returns the matching repositories and their matching lines', async () => {
    const { invoke } = await setup();
    const output = await invoke('search-code', {
      query: '"express":',
      files: ['package.json'],
    });
    expect(output).toMatchObject({
      searched: 3,
      totalMatches: 2,
      matchingEntityRefs: [
        'component:default/ledger',
        'component:default/payments-api',
      ],
      omittedResults: 0,
      failed: [],
      failedCount: 0,
    });
    expect((output.results as JsonObject[])[1]).toMatchObject({
      entityRef: 'component:default/payments-api',
      repositoryUrl: expect.stringContaining('/bank/payments-api'),
      defaultBranch: 'main',
      matchCount: 1,
      truncated: false,
      matches: [
        { path: 'package.json', line: 5, text: '    "express": "4.18.2"' },
      ],
    });
  });

  it('create-change starts a preview that get-change-preview reports per repository, with the diff of one, and pushes nothing', async () => {
    const { invoke } = await setup();
    const created = await invoke('create-change', bump);
    const changeId = created.changeId as string;
    expect(created).toEqual({
      changeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      state: 'previewing',
      urlPath: `/changes/${changeId}`,
      branch: `fleetdeck/change-${changeId.slice(0, 8)}`,
      total: 2,
    });

    let preview = await invoke('get-change-preview', { changeId });
    for (let i = 0; preview.state === 'previewing' && i < 300; i++) {
      await new Promise(r => setTimeout(r, 100));
      preview = await invoke('get-change-preview', { changeId });
    }
    expect(preview).toMatchObject({
      changeId,
      title: 'express 4.21.2',
      state: 'ready',
      total: 2,
      counts: { previewed: 2 },
      omittedRepositories: 0,
    });
    expect(preview.repositories).toEqual(
      ['component:default/ledger', 'component:default/payments-api'].map(
        entityRef =>
          expect.objectContaining({
            entityRef,
            state: 'previewed',
            files: [{ path: 'package.json', added: 1, removed: 1 }],
          }),
      ),
    );
    expect(preview.diff).toBeUndefined();

    const withDiff = await invoke('get-change-preview', {
      changeId,
      entityRef: 'payments-api',
    });
    expect(withDiff.diff).toEqual({
      entityRef: 'component:default/payments-api',
      diff: expect.stringContaining(
        '-    "express": "4.18.2"\n+    "express": "4.21.2"\n',
      ),
      truncated: false,
    });
    expect(github.pullRequests('bank', 'payments-api')).toHaveLength(0);
    expect(github.pushes).toHaveLength(0);
  });

  it('create-change makes a change from a configured recipe, given its name', async () => {
    const { invoke } = await setup();
    const { recipe, ...rest } = bump;
    const created = await invoke('create-change', {
      ...rest,
      recipeName: 'bump-express',
    });
    const changeId = created.changeId as string;
    let preview = await invoke('get-change-preview', { changeId });
    for (let i = 0; preview.state === 'previewing' && i < 300; i++) {
      await new Promise(r => setTimeout(r, 100));
      preview = await invoke('get-change-preview', { changeId });
    }
    expect(preview).toMatchObject({ state: 'ready', counts: { previewed: 2 } });
    const withDiff = await invoke('get-change-preview', {
      changeId,
      entityRef: 'ledger',
    });
    expect((withDiff.diff as JsonObject).diff).toContain(
      '-    "express": "4.18.2",\n+    "express": "4.21.2",\n',
    );
    await expect(
      invoke('create-change', { ...rest, recipeName: 'rm-everything' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message:
        'No recipe named "rm-everything" in changes.recipes; the configured recipes are bump-express',
    });
    await expect(invoke('create-change', rest)).rejects.toMatchObject({
      name: 'InputError',
      message: /give either recipe \(the steps\) or recipeName/,
    });
  });

  it('validates input with the common schemas', async () => {
    const { invoke } = await setup();
    await expect(
      invoke('create-change', { ...bump, branch: 'fleetdeck/../main' }),
    ).rejects.toMatchObject({ name: 'InputError', message: /branch/ });
    await expect(
      invoke('create-change', {
        ...bump,
        recipe: [{ type: 'command', command: ['rm', '-rf', '.'] }],
      }),
    ).rejects.toThrow(/Invalid input to action "test:create-change"/);
    await expect(invoke('search-code', { query: '' })).rejects.toMatchObject({
      name: 'InputError',
      message: /query/,
    });
    await expect(
      invoke('get-change-preview', { changeId: 'not-a-uuid' }),
    ).rejects.toMatchObject({ name: 'InputError' });
    const { changeId } = await invoke('create-change', bump);
    await expect(
      invoke('get-change-preview', {
        changeId,
        entityRef: 'component:default/cards',
      }),
    ).rejects.toThrow('The change does not cover component:default/cards');
  });

  it.each([
    ['search-code', 'changes.search', { query: 'express' }],
    ['create-change', 'changes.change.create', bump],
  ])(
    '%s runs with the caller’s credentials: denied %s is an error',
    async (name, permission, input) => {
      const { invoke } = await setup([permission]);
      await expect(invoke(name, input, bob)).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: `You may not do this (${permission})`,
      });
      await expect(invoke(name, input, alice)).resolves.toBeDefined();
    },
  );

  it('get-change-preview runs with the caller’s credentials: denied changes.change.read is an error', async () => {
    const { invoke } = await setup(['changes.change.read']);
    const { changeId } = await invoke('create-change', bump, bob);
    await expect(
      invoke('get-change-preview', { changeId }, bob),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'You may not do this (changes.change.read)',
    });
    await expect(
      invoke('get-change-preview', { changeId }, alice),
    ).resolves.toMatchObject({ changeId, total: 2 });
  });
});
