/*
 * Issue 11, must-show 7: app-config.yaml + app-config.production.yaml, loaded
 * the way production starts the backend (`--config app-config.yaml --config
 * app-config.production.yaml`, read by createBackend()'s own root config
 * service, rootConfigServiceFactory of @backstage/backend-defaults, i.e.
 * @backstage/config-loader's ConfigSources), from a controlled environment.
 */
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { rootConfigServiceFactory } from '@backstage/backend-defaults/rootConfig';
import {
  mockServices,
  ServiceFactoryTester,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { JsonValue } from '@backstage/config';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import demoProvider from '@fleetdeck/plugin-auth-backend-module-demo-provider';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { isIPv4, isIPv6 } from 'net';
import { tmpdir } from 'os';
import { join, resolve as resolvePath } from 'path';
import request from 'supertest';

const repoRoot = resolvePath(__dirname, '../../..');
const DEMO_FILES = [resolvePath(repoRoot, 'app-config.yaml')];
const PRODUCTION_FILES = [
  ...DEMO_FILES,
  resolvePath(repoRoot, 'app-config.production.yaml'),
];

type Env = Record<string, string>;

const PIPELINE_TOKEN = 'pipeline-token-from-the-vault-7f3a9c2e';

/** What a production deployment sets. */
const deployment: Env = {
  POSTGRES_HOST: 'postgres.bank.example',
  POSTGRES_PORT: '5432',
  POSTGRES_USER: 'fleetdeck',
  POSTGRES_PASSWORD: 'pg-password-from-the-vault',
  FLEETDECK_PIPELINE_TOKEN: PIPELINE_TOKEN,
  RUNBOOKS_ENCRYPTION_KEY: 'runbooks-key-from-the-vault-0123456789',
  APP_BASE_URL: 'https://fleetdeck.bank.example',
  BACKEND_BASE_URL: 'https://fleetdeck.bank.example',
};

/**
 * What scripts/start.sh and a demo shell leave behind: a production host that
 * still has them in its environment must not bring the demo back.
 */
const demoLeftovers: Env = {
  FLEETDECK_DEMO_DIR: '/home/ops/fleetdeck/.fleetdeck/demo',
  FLEETDECK_DATA_DIR: '/home/ops/fleetdeck/.fleetdeck/data',
  RUNBOOKS_DEMO_API_TOKEN: 'demo-token-left-in-the-shell',
};

function without(env: Env, ...names: string[]): Env {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !names.includes(name)),
  );
}

const withoutToken = without(deployment, 'FLEETDECK_PIPELINE_TOKEN');

/**
 * Runs `fn` with exactly `env` as the process environment (plus what node
 * and the test databases need): config substitution (`${VAR}`) and
 * `APP_CONFIG_*` overrides see nothing else.
 */
async function withEnv<T>(env: Env, fn: () => Promise<T>): Promise<T> {
  const saved = process.env;
  const kept = Object.fromEntries(
    Object.entries(saved).filter(
      ([k]) =>
        ['PATH', 'HOME', 'TMPDIR', 'NODE_ENV', 'TZ'].includes(k) ||
        k.startsWith('BACKSTAGE_TEST_'),
    ),
  );
  process.env = { ...kept, ...env };
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}

/** The backend's root config service, as `node packages/backend --config ...` builds it. */
function rootConfigFrom(files: string[]) {
  return rootConfigServiceFactory({
    argv: ['node', 'packages/backend', ...files.flatMap(f => ['--config', f])],
    watch: false,
  });
}

async function load(env: Env, files = PRODUCTION_FILES) {
  const config = await withEnv(env, () =>
    ServiceFactoryTester.from(rootConfigFrom(files)).getSubject(),
  );
  return config.get() as { [key: string]: JsonValue };
}

/** Every leaf of the resolved config as `[path, value]`. */
function leaves(
  value: JsonValue | undefined,
  path = '',
): Array<[string, string]> {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      leaves(v, path ? `${path}.${k}` : k),
    );
  }
  return [[path, String(value)]];
}

/** Leaves whose path or value matches, as `path: value` lines. */
function find(config: JsonValue, test: (text: string) => boolean): string[] {
  return leaves(config)
    .map(([path, value]) => `${path}: ${value}`)
    .filter(test);
}

/** Entries of every allow-list (keys named `allow*`, `*allowed*`, `trusted*`). */
function allowListEntries(config: JsonValue): Array<[string, string]> {
  return leaves(config).filter(([path]) =>
    path
      .split('.')
      .some(part => /^(allow|trusted)|allowed/i.test(part.replace(/\[.*/, ''))),
  );
}

/**
 * Whether an allow-list entry (host, `*.suffix`, address or CIDR range)
 * reaches this machine or a private network: localhost, loopback,
 * unspecified, link-local, private and shared ranges, or everything (`*`).
 */
function reachesInside(entry: string): boolean {
  const host = entry
    .trim()
    .toLowerCase()
    .replace(/^\*\./, '')
    .replace(/\/\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  if (host === '*' || host === 'localhost' || host.endsWith('.localhost')) {
    return true;
  }
  if (isIPv4(host)) {
    const [a, b] = host.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (isIPv6(host)) {
    return (
      host === '::' ||
      host === '::1' ||
      host.startsWith('::ffff:') ||
      /^f[cd]/.test(host) ||
      /^fe[89ab]/.test(host)
    );
  }
  return false;
}

const LOOPBACK = /localhost|127\.\d+\.\d+\.\d+|\[::1\]/i;
const DEMO = /demo|not-a-secret/i;

describe('app-config.production.yaml on top of app-config.yaml', () => {
  it('signs in with neither guest nor demo, in the production auth environment', async () => {
    const config = await load(deployment);
    const auth = config.auth as any;
    expect(auth.environment).toBe('production');
    expect(Object.keys(auth.providers)).not.toContain('guest');
    expect(Object.keys(auth.providers)).not.toContain('demo');

    // the same walk on the demo's config finds both
    const demo = await load(deployment, DEMO_FILES);
    expect(Object.keys((demo.auth as any).providers).sort()).toEqual([
      'demo',
      'guest',
    ]);
  });

  it('uses PostgreSQL from POSTGRES_*, not the demo SQLite directory', async () => {
    const config = await load(deployment);
    const database = (config.backend as any).database;
    expect(database.client).toBe('pg');
    expect(database.connection).toEqual({
      host: 'postgres.bank.example',
      port: '5432',
      user: 'fleetdeck',
      password: 'pg-password-from-the-vault',
    });
  });

  it.each([
    ['the deployment environment', deployment],
    [
      'demo variables left in the environment',
      { ...deployment, ...demoLeftovers },
    ],
  ])(
    'has no loopback, private address or localhost in any allow-list (%s)',
    async (_name, env) => {
      const entries = allowListEntries(await load(env));
      const keys = new Set(
        entries.map(([path]) => path.replace(/\[\d+\]$/, '')),
      );
      // the walk sees the allow-lists that exist (an empty one has no entry)
      expect([...keys]).toEqual(
        expect.arrayContaining(['deployments.git.allowedHosts']),
      );
      expect(entries.filter(([, v]) => reachesInside(v))).toEqual([]);

      const config = await load(env);
      const runbooks = config.runbooks as any;
      expect(runbooks.http.allowedHosts).toEqual([]);
      expect(runbooks.tls.allowedHosts).toEqual([]);
      expect(runbooks.trustedSources).toEqual([]);
      expect((config.deployments as any).git.allowedRoots).toEqual([]);

      // the same walk on the demo's config finds its loopback entries
      const demo = allowListEntries(await load(env, DEMO_FILES));
      expect(demo.filter(([, v]) => reachesInside(v))).toEqual(
        expect.arrayContaining([
          ['runbooks.http.allowedHosts[0]', 'localhost'],
          ['runbooks.http.allowedHosts[1]', '127.0.0.1'],
        ]),
      );
    },
  );

  it('names loopback nowhere once the deployment sets its base URLs; without them only as its own address', async () => {
    expect(find(await load(deployment), l => LOOPBACK.test(l))).toEqual([]);

    const unsetUrls = without(deployment, 'APP_BASE_URL', 'BACKEND_BASE_URL');
    expect(find(await load(unsetUrls), l => LOOPBACK.test(l))).toEqual([
      'app.baseUrl: http://localhost:7007',
      'backend.baseUrl: http://localhost:7007',
      'backend.cors.origin: http://localhost:7007',
    ]);
  });

  it.each([
    ['the deployment environment', deployment],
    [
      'demo variables left in the environment',
      { ...deployment, ...demoLeftovers },
    ],
  ])(
    'carries no demo secret, token, git root, git server, inventory or data (%s)',
    async (_name, env) => {
      const config = await load(env);
      const isDemo = (l: string) =>
        DEMO.test(l) || l.includes('.fleetdeck/demo');
      expect(find(config, isDemo)).toEqual([]);

      const runbooks = config.runbooks as any;
      expect(runbooks.secrets).toBeUndefined();
      expect(runbooks.ansible?.inventoryVars).toBeUndefined();
      expect(runbooks.ansible?.env).toBeUndefined();
      const fleetdeck = config.fleetdeck as any;
      expect(fleetdeck.git.servers).toEqual([]);
      expect(fleetdeck.gitops).toBeUndefined();
      const catalog = config.catalog as any;
      expect(catalog.locations).toEqual([]);
      expect(catalog.providers.fleet.ansible).toEqual({});
      expect((config.deployments as any).importFiles).toBeUndefined();

      // the same walk on the demo's config finds the demo's secret, token,
      // git server, GitOps repository and git root
      const demoEnv = without(env, 'FLEETDECK_PIPELINE_TOKEN');
      const demo = find(await load(demoEnv, DEMO_FILES), isDemo);
      for (const path of [
        /^runbooks\.secrets\.demoApiToken/,
        /^backend\.auth\.externalAccess\[0\]\.options\.token/,
        /^fleetdeck\.git\.servers\[0\]\.baseUrl/,
        /^fleetdeck\.gitops\.repoUrl/,
        /^deployments\.git\.allowedRoots\[0\]/,
        /^catalog\.providers\.fleet\.ansible\.demo/,
      ]) {
        expect(demo).toEqual(
          expect.arrayContaining([expect.stringMatching(path)]),
        );
      }
    },
  );

  it('has one external access entry, the pipeline token, and none without FLEETDECK_PIPELINE_TOKEN', async () => {
    const withToken = (await load(deployment)).backend as any;
    expect(withToken.auth.externalAccess).toEqual([
      {
        type: 'static',
        options: { token: PIPELINE_TOKEN, subject: 'pipeline' },
        accessRestrictions: [
          {
            plugin: 'deployments',
            permission: 'deployments.deployment.create',
          },
        ],
      },
    ]);
    const unset = (await load(withoutToken)).backend as any;
    expect(unset.auth.externalAccess).toEqual([
      {
        type: 'static',
        options: { subject: 'pipeline' },
        accessRestrictions: [
          {
            plugin: 'deployments',
            permission: 'deployments.deployment.create',
          },
        ],
      },
    ]);
  });
});

describe('a backend started with the production config', () => {
  const databases = TestDatabases.create();
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleetdeck-production-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function start(
    databaseId: TestDatabaseId,
    env: Env,
    files = PRODUCTION_FILES,
  ) {
    const knex = await databases.init(databaseId);
    return withEnv(env, () =>
      startTestBackend({
        features: [
          rootConfigFrom(files),
          mockServices.database.factory({ knex }),
          authServiceFactory,
          authPlugin,
          guestProvider,
          demoProvider,
        ],
      }),
    );
  }

  async function extraConfig(name: string, yaml: string) {
    const file = join(dir, name);
    await writeFile(file, yaml);
    return file;
  }

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('answers guest and demo sign-in with 404: neither provider is registered', async () => {
      const { server } = await start(databaseId, deployment);
      const guest = await request(server)
        .get('/api/auth/guest/refresh')
        .set('x-requested-with', 'XMLHttpRequest');
      expect(guest.status).toBe(404);
      expect(guest.body.error.message).toBe(
        "No auth provider registered for 'guest'",
      );
      const demo = await request(server)
        .get('/api/auth/demo/refresh')
        .set('x-requested-with', 'XMLHttpRequest')
        .set('x-fleetdeck-demo-user', 'olivia.brown');
      expect(demo.status).toBe(404);
      expect(demo.body.error.message).toBe("Unknown auth provider 'demo'");
    });

    it('with the demo config alone, the same backend does sign in the guest', async () => {
      const { server } = await start(databaseId, deployment, DEMO_FILES);
      const guest = await request(server)
        .get('/api/auth/guest/refresh')
        .set('x-requested-with', 'XMLHttpRequest');
      expect(guest.status).toBe(200);
      expect(guest.body.backstageIdentity.identity.userEntityRef).toBe(
        'user:default/guest',
      );
      const demo = await request(server)
        .get('/api/auth/demo/refresh')
        .set('x-requested-with', 'XMLHttpRequest');
      expect(demo.body.error.message).toBe(
        'Missing x-fleetdeck-demo-user header',
      );
    });

    it.each([
      [
        'adds auth.providers.demo back',
        'auth:\n  providers:\n    demo: {}\n',
        "auth.environment is 'production'",
      ],
      [
        'adds auth.providers.demo back and unsets auth.environment',
        'auth:\n  environment: null\n  providers:\n    demo: {}\n',
        'auth.environment is not set',
      ],
    ])(
      'refuses to start when a later config file %s',
      async (_name, yaml, shown) => {
        const file = await extraConfig(`demo-${Math.random()}.yaml`, yaml);
        await expect(
          start(databaseId, deployment, [...PRODUCTION_FILES, file]),
        ).rejects.toThrow(
          `auth.providers.demo is configured but ${shown}: the demo sign-in lets anyone act as any catalog user`,
        );
      },
    );

    it.each([
      [
        'unset',
        withoutToken,
        "Missing required config value at 'backend.auth.externalAccess[0].options.token' in 'app-config.production.yaml'",
      ],
      [
        'blank',
        { ...deployment, FLEETDECK_PIPELINE_TOKEN: '   ' },
        "Invalid type in config for key 'backend.auth.externalAccess[0].options.token' in 'app-config.production.yaml', got empty-string, wanted string",
      ],
      [
        'shorter than 8 characters',
        { ...deployment, FLEETDECK_PIPELINE_TOKEN: 'abc1234' },
        'Illegal token, must be at least 8 characters length',
      ],
    ])(
      'does not start when FLEETDECK_PIPELINE_TOKEN is %s',
      async (_name, env, message) => {
        await expect(start(databaseId, env)).rejects.toThrow(message);
      },
    );

    it('accepts the pipeline token for deployments only, and refuses the demo token', async () => {
      const knex = await databases.init(databaseId);
      const authFor = (pluginId: string) =>
        withEnv(deployment, () =>
          ServiceFactoryTester.from(authServiceFactory, {
            dependencies: [
              rootConfigFrom(PRODUCTION_FILES),
              mockServices.database.factory({ knex }),
              mockServices.discovery.factory(),
            ],
          }).getSubject(pluginId),
        );
      const deployments = await authFor('deployments');
      const credentials = await deployments.authenticate(PIPELINE_TOKEN);
      expect(credentials.principal).toMatchObject({
        type: 'service',
        subject: 'pipeline',
        accessRestrictions: {
          permissionNames: ['deployments.deployment.create'],
        },
      });
      await expect(
        deployments.authenticate('fleetdeck-demo-pipeline-token-not-a-secret'),
      ).rejects.toMatchObject({
        name: 'AuthenticationError',
        message: 'Illegal token',
      });
      await expect(
        (await authFor('catalog')).authenticate(PIPELINE_TOKEN),
      ).rejects.toThrow(
        "This token's access is restricted to plugin(s) 'deployments'",
      );
    });
  });
});
