import { ConfigReader } from '@backstage/config';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { createDemoAuthenticator } from './authenticator';
import { authModuleDemoProvider } from './module';

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'olivia.brown', namespace: 'default' },
    spec: { memberOf: ['sre'] },
    relations: [{ type: 'memberOf', targetRef: 'group:default/sre' }],
  },
];

async function startBackend(auth: Record<string, unknown>) {
  const { server } = await startTestBackend({
    features: [
      authPlugin,
      authModuleDemoProvider,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: { session: { secret: 'test' }, ...auth },
        },
      }),
    ],
  });
  return (user?: string) => {
    const req = request(server)
      .get('/api/auth/demo/refresh')
      .set('x-requested-with', 'XMLHttpRequest');
    return user ? req.set('x-fleetdeck-demo-user', user) : req;
  };
}

describe('authModuleDemoProvider', () => {
  it('signs in as a catalog user with their group memberships in development', async () => {
    const refresh = await startBackend({
      environment: 'development',
      providers: { demo: {} },
    });
    const res = await refresh('olivia.brown');
    expect(res.status).toBe(200);
    expect(res.body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/olivia.brown',
      ownershipEntityRefs: ['user:default/olivia.brown', 'group:default/sre'],
    });
  });

  it('refuses users that are not in the catalog and requests without a user', async () => {
    const refresh = await startBackend({
      environment: 'development',
      providers: { demo: {} },
    });
    expect((await refresh('mallory')).status).toBe(404);
    expect((await refresh()).status).toBe(400);
    expect((await refresh('../../etc')).status).toBe(400);
  });

  it.each([
    ['production', { environment: 'production' }, "'production'"],
    ['unset', {}, 'not set'],
    ['staging', { environment: 'staging' }, "'staging'"],
    [
      'Development (wrong case)',
      { environment: 'Development' },
      "'Development'",
    ],
  ])(
    'refuses to start when auth.environment is %s',
    async (_name, env, shown) => {
      const started = startBackend({ ...env, providers: { demo: {} } });
      await expect(started).rejects.toThrow(
        `auth.providers.demo is configured but auth.environment is ${shown}`,
      );
      await expect(started).rejects.toThrow(
        /only runs when auth.environment is explicitly 'development'/,
      );
    },
  );

  it('has no override: the old dangerouslyAllowOutsideDevelopment flag is refused too', async () => {
    await expect(
      startBackend({
        environment: 'production',
        providers: { demo: { dangerouslyAllowOutsideDevelopment: true } },
      }),
    ).rejects.toThrow(/auth.environment is 'production'/);
  });

  it('is not registered when auth.providers.demo is removed, even in development', async () => {
    const refresh = await startBackend({
      environment: 'development',
      providers: { demo: null },
    });
    const res = await refresh('olivia.brown');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe("Unknown auth provider 'demo'");
  });
});

describe('createDemoAuthenticator', () => {
  it('refuses to initialize outside development, for modules that wire it themselves', () => {
    const config = new ConfigReader({});
    expect(() =>
      createDemoAuthenticator({ authEnvironment: 'production' }).initialize({
        config,
      }),
    ).toThrow(/auth.environment is 'production'/);
    expect(() =>
      createDemoAuthenticator({ authEnvironment: undefined }).initialize({
        config,
      }),
    ).toThrow(/auth.environment is not set/);
    expect(() =>
      createDemoAuthenticator({ authEnvironment: 'development' }).initialize({
        config,
      }),
    ).not.toThrow();
  });
});
