import {
  AuthService,
  coreServices,
  createBackendPlugin,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ActionsService,
  actionsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { RunbookExecutor } from '@fleetdeck/plugin-runbooks-node';
import yaml from 'yaml';
import { entitiesYaml } from '../__testUtils__/fixtures';
import { startRunbooksTestBackend } from '../__testUtils__/testBackend';
import { createRunRunbookAction } from './createRunRunbookAction';
import { examples } from './createRunRunbookAction.examples';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('runbooks:run scaffolder action and actions-registry actions', () => {
  let services: {
    auth: AuthService;
    discovery: DiscoveryService;
    actions: ActionsService;
  };
  let stop: () => Promise<void>;
  const executor: RunbookExecutor = {
    id: 'test',
    async execute(ctx) {
      ctx.logger.info(`ran on ${ctx.target.metadata.name}`);
    },
  };

  beforeAll(async () => {
    const harness = createBackendPlugin({
      pluginId: 'harness',
      register(env) {
        env.registerInit({
          deps: {
            auth: coreServices.auth,
            discovery: coreServices.discovery,
            actions: actionsServiceRef,
          },
          async init(deps) {
            services = deps;
          },
        });
      },
    });
    const backend = await startRunbooksTestBackend({
      databases,
      databaseId: 'SQLITE_3',
      entitiesYaml,
      executors: [executor],
      features: [harness],
      extraConfig: { backend: { actions: { pluginSources: ['runbooks'] } } },
      waitFor: [
        'runbook:default/kafka-patch',
        'cluster:default/kafka-staging-01',
      ],
    });
    stop = backend.stop;
  });
  afterAll(() => stop?.());

  const input = {
    runbook: 'runbook:default/kafka-patch',
    targets: ['cluster:default/kafka-staging-01'],
    parameters: { version: '3.7.1' },
    wait: true,
  };

  it('starts a run as the template user: 403 for a non-owner, success for an owner', async () => {
    const action = createRunRunbookAction({ ...services, pollIntervalMs: 50 });
    const asUser = (user: string) => {
      // createMockActionContext ignores a getInitiatorCredentials option
      const ctx = createMockActionContext({ input });
      ctx.getInitiatorCredentials = async () => mockCredentials.user(user);
      return ctx;
    };
    const denied = asUser('user:default/lucas');
    await expect(action.handler(denied as any)).rejects.toMatchObject({
      name: 'ResponseError',
      response: { status: 403 },
      body: { error: { message: expect.stringMatching(/may not run/) } },
    });

    const allowed = asUser('user:default/amelie');
    await action.handler(allowed as any);
    expect(allowed.output).toHaveBeenCalledWith('status', 'succeeded');
    expect(allowed.output).toHaveBeenCalledWith('succeeded', 1);
  });

  it('has examples that parse and name the action', () => {
    for (const example of examples) {
      const doc = yaml.parse(example.example);
      expect(doc.steps[0].action).toBe('runbooks:run');
      expect(doc.steps[0].input.runbook).toMatch(/^runbook:default\//);
    }
  });

  it('exposes list, dry-run and status actions under the same permissions', async () => {
    const { actions } = await services.actions.list({
      credentials: mockCredentials.user('user:default/amelie'),
    });
    expect(actions.map(a => a.id)).toEqual(
      expect.arrayContaining([
        'runbooks:list-runbooks',
        'runbooks:start-runbook-dry-run',
        'runbooks:get-runbook-run',
      ]),
    );
    const listed = await services.actions.invoke({
      id: 'runbooks:list-runbooks',
      input: { entityRef: 'cluster:default/kafka-staging-01' },
      credentials: mockCredentials.user('user:default/lucas'),
    });
    expect(
      (listed.output as any).runbooks.map((r: any) => r.entityRef),
    ).toEqual(['runbook:default/kafka-patch']);

    const dryRunInput = {
      runbookRef: 'runbook:default/kafka-patch',
      targets: ['cluster:default/kafka-staging-01'],
      parameters: { version: '3.7.1' },
    };
    await expect(
      services.actions.invoke({
        id: 'runbooks:start-runbook-dry-run',
        input: dryRunInput,
        credentials: mockCredentials.user('user:default/lucas'),
      }),
    ).rejects.toMatchObject({
      body: { error: { message: expect.stringMatching(/may not run/) } },
    });

    const started = await services.actions.invoke({
      id: 'runbooks:start-runbook-dry-run',
      input: dryRunInput,
      credentials: mockCredentials.user('user:default/amelie'),
    });
    const runId = (started.output as any).runId;
    let status: any;
    for (let i = 0; i < 100; i++) {
      status = (
        await services.actions.invoke({
          id: 'runbooks:get-runbook-run',
          input: { runId },
          credentials: mockCredentials.user('user:default/amelie'),
        })
      ).output;
      if (status.status === 'succeeded') break;
      await new Promise(r => setTimeout(r, 50));
    }
    expect(status).toMatchObject({
      status: 'succeeded',
      dryRun: true,
      counts: { succeeded: 1 },
    });
  });
});
