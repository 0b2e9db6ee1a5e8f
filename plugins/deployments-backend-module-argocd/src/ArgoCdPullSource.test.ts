import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import {
  DeploymentPullSource,
  deploymentsPullSourcesExtensionPoint,
} from '@fleetdeck/plugin-deployments-node';
import { ArgoCdPullSource } from './ArgoCdPullSource';
import { deploymentsModuleArgoCd } from './module';

const TOKEN = 'argocd-api-token';
const SHA_OLD = '1f0e3c9a7b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f';
const SHA_NEW = '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b';
const SHA_STAGING = '0123456789abcdef0123456789abcdef01234567';

/** An Application as `argocd app get -o json` / GET /api/v1/applications returns it. */
function argoApplication(
  name: string,
  status: object,
  annotations?: Record<string, string>,
) {
  return {
    metadata: {
      name,
      namespace: 'argocd',
      uid: 'b6f0c8a4-1c1e-4b8e-9d55-2f0d0e9f6a11',
      resourceVersion: '184467',
      generation: 12,
      creationTimestamp: '2026-01-05T09:12:44Z',
      labels: { 'app.kubernetes.io/part-of': 'payments-platform' },
      ...(annotations ? { annotations } : {}),
      managedFields: [],
    },
    spec: {
      source: {
        repoURL: 'https://github.com/fleetdeck-bank/payments-api.git',
        path: 'deploy/overlays/production',
        targetRevision: 'main',
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: 'payments',
      },
      project: 'payments',
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
    status: {
      resources: [
        {
          version: 'v1',
          kind: 'Service',
          namespace: 'payments',
          name: 'payments-api',
          status: 'Synced',
          health: { status: 'Healthy' },
        },
      ],
      health: { status: 'Healthy' },
      summary: { images: ['ghcr.io/fleetdeck-bank/payments-api:1.4.0'] },
      sourceType: 'Kustomize',
      controllerNamespace: 'argocd',
      ...status,
    },
  };
}

const applications = [
  argoApplication('payments-api-production', {
    sync: {
      status: 'Synced',
      revision: SHA_NEW,
      comparedTo: {
        source: {
          repoURL: 'https://github.com/fleetdeck-bank/payments-api.git',
          targetRevision: 'main',
        },
      },
    },
    history: [
      {
        revision: SHA_OLD,
        deployedAt: '2026-03-01T10:00:00Z',
        id: 7,
        source: {
          repoURL: 'https://github.com/fleetdeck-bank/payments-api.git',
          path: 'deploy/overlays/production',
          targetRevision: 'main',
        },
        deployStartedAt: '2026-03-01T09:59:41Z',
        initiatedBy: { username: 'emma' },
      },
      {
        revision: SHA_NEW,
        deployedAt: '2026-03-02T10:00:00Z',
        id: 8,
        source: {
          repoURL: 'https://github.com/fleetdeck-bank/payments-api.git',
          path: 'deploy/overlays/production',
          targetRevision: 'main',
        },
        deployStartedAt: '2026-03-02T09:59:12Z',
        initiatedBy: { automated: true },
      },
    ],
    operationState: {
      phase: 'Succeeded',
      finishedAt: '2026-03-02T10:00:00Z',
      syncResult: { revision: SHA_NEW },
    },
    reconciledAt: '2026-03-02T10:03:00Z',
  }),
  // Mapped by annotations; no history yet, only a synced revision.
  argoApplication(
    'payments-api-staging',
    {
      sync: { status: 'Synced', revision: SHA_STAGING },
      operationState: {
        phase: 'Succeeded',
        finishedAt: '2026-03-03T08:00:00Z',
      },
      reconciledAt: '2026-03-03T08:01:00Z',
    },
    {
      'fleetdeck.io/entity-ref': 'component:default/payments-api',
      'fleetdeck.io/environment': 'staging',
    },
  ),
  // Malformed: history is not a list.
  argoApplication(
    'payments-api-dev',
    { history: 'yesterday' },
    {
      'fleetdeck.io/entity-ref': 'component:default/payments-api',
      'fleetdeck.io/environment': 'dev',
    },
  ),
  // A Helm chart version is no commit: skipped.
  argoApplication('card-authorizer-production', {
    sync: { status: 'Synced', revision: '4.2.0' },
    history: [
      {
        revision: '4.2.0',
        deployedAt: '2026-03-01T00:00:00Z',
        id: 1,
        source: { chart: 'card-authorizer', targetRevision: '4.2.0' },
      },
    ],
  }),
  // Not mapped at all: ignored.
  argoApplication('unrelated', {
    sync: { status: 'Synced', revision: SHA_OLD },
  }),
];

describe('ArgoCdPullSource against a server speaking Argo CD', () => {
  let server: Server;
  let baseUrl: string;
  let answer: () => [number, string, string?] = () => [
    200,
    JSON.stringify({
      metadata: { resourceVersion: '184470' },
      items: applications,
    }),
  ];
  const seenAuth: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seenAuth.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: 'invalid session: token is malformed',
            code: 16,
            message: 'invalid session: token is malformed',
          }),
        );
        return;
      }
      if (req.url !== '/api/v1/applications') {
        res.writeHead(404).end();
        return;
      }
      const [status, body, type] = answer();
      res.writeHead(status, { 'content-type': type ?? 'application/json' });
      res.end(body);
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => server.close(r)));
  afterEach(() => {
    answer = () => [
      200,
      JSON.stringify({
        metadata: { resourceVersion: '184470' },
        items: applications,
      }),
    ];
  });

  const source = (token = TOKEN) =>
    ArgoCdPullSource.fromConfig(
      new ConfigReader({
        deployments: {
          argocd: {
            baseUrl,
            token,
            applications: [
              {
                name: 'payments-api-production',
                entityRef: 'component:default/payments-api',
                environment: 'production',
              },
              {
                name: 'card-authorizer-production',
                entityRef: 'component:default/card-authorizer',
                environment: 'production',
              },
            ],
          },
        },
      }),
      mockServices.logger.mock(),
    )!;

  it('reports status.history and a synced status.sync.revision, with the token', async () => {
    const pulled = await source().pull();
    expect(seenAuth.at(-1)).toBe(`Bearer ${TOKEN}`);
    expect(pulled).toEqual([
      {
        entityRef: 'component:default/payments-api',
        environment: 'production',
        commitSha: SHA_OLD,
        version: undefined,
        deployedAt: '2026-03-01T10:00:00.000Z',
        deployedBy: 'emma',
        pipelineUrl: `${baseUrl}/applications/argocd/payments-api-production`,
        status: 'succeeded',
      },
      expect.objectContaining({
        commitSha: SHA_NEW,
        deployedAt: '2026-03-02T10:00:00.000Z',
        deployedBy: 'argocd (automated sync)',
      }),
      expect.objectContaining({
        environment: 'staging',
        commitSha: SHA_STAGING,
        deployedAt: '2026-03-03T08:00:00.000Z',
      }),
    ]);
  });

  it('fails clearly on a rejected token', async () => {
    await expect(source('wrong').pull()).rejects.toThrow(/401/);
  });

  it.each([
    [
      'an HTML error page',
      () =>
        [200, '<html><body>502 Bad Gateway</body></html>', 'text/html'] as [
          number,
          string,
          string,
        ],
    ],
    [
      'JSON without items',
      () => [200, JSON.stringify({ metadata: {} })] as [number, string],
    ],
    [
      'items that are not a list',
      () => [200, JSON.stringify({ items: { a: 1 } })] as [number, string],
    ],
    [
      'a 500',
      () =>
        [500, JSON.stringify({ error: 'rpc error', code: 13 })] as [
          number,
          string,
        ],
    ],
  ])('fails the run on %s', async (_, a) => {
    answer = a as any;
    await expect(source().pull()).rejects.toThrow(/Argo CD/);
  });

  it('treats items: null (no applications) as none', async () => {
    answer = () => [
      200,
      JSON.stringify({ metadata: { resourceVersion: '1' }, items: null }),
    ];
    expect(await source().pull()).toEqual([]);
  });

  it('is added to the deployments backend through the pull-source extension point', async () => {
    const added: DeploymentPullSource[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          deploymentsPullSourcesExtensionPoint,
          { addPullSource: (...s: DeploymentPullSource[]) => added.push(...s) },
        ],
      ],
      features: [
        deploymentsModuleArgoCd,
        mockServices.rootConfig.factory({
          data: {
            deployments: {
              argocd: {
                baseUrl,
                token: TOKEN,
                schedule: {
                  frequency: { seconds: 30 },
                  timeout: { seconds: 20 },
                },
                applications: [
                  {
                    name: 'payments-api-production',
                    entityRef: 'component:default/payments-api',
                    environment: 'production',
                  },
                ],
              },
            },
          },
        }),
      ],
    });
    expect(added.map(s => [s.id, s.schedule.frequency])).toEqual([
      ['argocd', { seconds: 30 }],
    ]);
    expect((await added[0].pull({})).map(d => d.commitSha)).toEqual([
      SHA_OLD,
      SHA_NEW,
      SHA_STAGING,
    ]);
  });
});
