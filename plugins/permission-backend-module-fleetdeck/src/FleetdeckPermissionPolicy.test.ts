import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { FleetdeckPermissionPolicy } from './FleetdeckPermissionPolicy';

const policy = FleetdeckPermissionPolicy.fromConfig(
  new ConfigReader({
    fleetdeck: {
      permissions: { adminGroups: ['group:default/fleetdeck-admins'] },
    },
  }),
);

const user = (...groups: string[]) => ({
  identity: {
    type: 'user' as const,
    userEntityRef: 'user:default/emma',
    ownershipEntityRefs: ['user:default/emma', ...groups],
  },
  info: {
    userEntityRef: 'user:default/emma',
    ownershipEntityRefs: ['user:default/emma', ...groups],
  },
  token: 'token',
  credentials: {} as any,
});

const onEntity = (name: string) =>
  createPermission({
    name,
    attributes: { action: 'create' },
    resourceType: 'catalog-entity',
  });

describe('FleetdeckPermissionPolicy', () => {
  it.each(['runbooks.run', 'runbooks.cancel', 'deployments.deployment.create'])(
    'keeps %s to the owners of the entity',
    async name => {
      const decision = await policy.handle(
        { permission: onEntity(name) },
        user('group:default/payments'),
      );
      expect(decision).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: ['user:default/emma', 'group:default/payments'],
          },
        },
      });
    },
  );

  it('lets admins do everything, owner-only actions included', async () => {
    const decision = await policy.handle(
      { permission: onEntity('deployments.deployment.create') },
      user('group:default/fleetdeck-admins'),
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });

  it('denies requests that carry no user', async () => {
    const decision = await policy.handle({
      permission: createPermission({ name: 'any.thing', attributes: {} }),
    });
    expect(decision.result).toBe(AuthorizeResult.DENY);
  });
});
