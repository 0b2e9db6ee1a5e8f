import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import yaml from 'yaml';
import { GitServers } from '../git/GitServers';
import { actionContext, configWith } from '../__testUtils__/actionContext';
import { bareRepo } from '../__testUtils__/git';
import { createServicePreflightAction } from './servicePreflight';
import { examples } from './servicePreflight.examples';

const entity = (kind: string, name: string, spec = {}) => ({
  apiVersion:
    kind === 'Cluster' ? 'fleetdeck.io/v1alpha1' : 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
  spec,
});

describe('fleetdeck:service:preflight', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'fleetdeck-preflight-'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const run = (input: Record<string, unknown>) => {
    const config = configWith({
      servers: [
        { name: 'demo', baseUrl: join(base, 'git'), createRepositories: true },
      ],
      gitopsRepoUrl: join(base, 'git', 'gitops.git'),
    });
    const action = createServicePreflightAction({
      config,
      servers: GitServers.fromConfig(config),
      catalog: catalogServiceMock({
        entities: [
          entity('Group', 'payments'),
          entity('Group', 'cards'),
          entity('System', 'payments-platform'),
          entity('Cluster', 'kafka-prod-01'),
          entity('Component', 'payments-api', {
            owner: 'group:default/payments',
          }),
        ],
      }),
      discovery: mockServices.discovery(),
    });
    const context = actionContext({ input, workspacePath: join(base, 'ws') });
    return { ...context, done: action.handler(context.ctx) };
  };
  const good = {
    name: 'payments-gateway',
    owner: 'group:default/payments',
    target: 'git',
  };

  it.each(examples.map(e => [e.description, e]))(
    'runs the example: %s',
    async (_, example) => {
      const { input } = yaml.parse(example.example).steps[0];
      const { done, output } = run(input);
      await done;
      expect(output).toHaveBeenCalledWith(
        'entityRef',
        `component:default/${input.name}`,
      );
    },
  );

  it('resolves where the service will live', async () => {
    const { done, output } = run({ ...good, clusters: ['kafka-prod-01'] });
    await done;
    const remote = `file://${base}/git/payments-gateway.git`;
    expect(Object.fromEntries(output.mock.calls)).toEqual({
      entityRef: 'component:default/payments-gateway',
      remoteUrl: remote,
      sourceLocation: `${remote}/-/tree/main/`,
      catalogInfoUrl: `${remote}/-/blob/main/catalog-info.yaml`,
      gitopsRepoUrl: `file://${base}/git/gitops.git`,
      deploymentsApiUrl: 'http://localhost:0/api/deployments/v1/deployments',
      owner: 'group:default/payments',
      clusters: ['cluster:default/kafka-prod-01'],
    });
  });

  it.each([
    ['../x', /contains a path/],
    ['Payments', /has upper-case letters; use lower case, e.g. payments/],
    ['a'.repeat(200), /is 200 characters long; at most 52 are allowed/],
    ['9lives', /is not a DNS label/],
    [
      'payments-api',
      /The name payments-api is taken: component:default\/payments-api is already in the catalog \(owner group:default\/payments\)/,
    ],
  ])('refuses the name %s', async (name, message) => {
    await expect(run({ ...good, name }).done).rejects.toThrow(message);
  });

  it.each([
    [
      { owner: 'user:default/emma' },
      /The owner user:default\/emma is not a group/,
    ],
    [
      { owner: 'group:default/nobody' },
      /The owner group:default\/nobody is not in the catalog/,
    ],
    [
      { system: 'payments' },
      /The system system:default\/payments is not in the catalog/,
    ],
    [
      { clusters: ['kafka-prod-99'] },
      /The cluster cluster:default\/kafka-prod-99 is not in the catalog/,
    ],
    [
      { target: 'github', repoUrl: 'github.com?owner=x' },
      /is not of the form github.com\?owner=<owner>&repo=<repo>/,
    ],
  ])('refuses %j', async (input, message) => {
    await expect(run({ ...good, ...input }).done).rejects.toThrow(message);
  });

  it('refuses a target repository that already has commits', async () => {
    bareRepo(join(base, 'git', 'payments-gateway.git'), { 'x.txt': 'x' });
    await expect(run(good).done).rejects.toThrow(
      /Refusing to overwrite: branch main/,
    );
  });
});
