import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
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

  it('is disabled outside development unless explicitly allowed', async () => {
    const refresh = await startBackend({
      environment: 'production',
      providers: { demo: {} },
    });
    const res = await refresh('olivia.brown');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /only available when auth.environment is 'development'/,
    );

    const allowed = await startBackend({
      environment: 'production',
      providers: { demo: { dangerouslyAllowOutsideDevelopment: true } },
    });
    expect((await allowed('olivia.brown')).status).toBe(200);
  });
});
