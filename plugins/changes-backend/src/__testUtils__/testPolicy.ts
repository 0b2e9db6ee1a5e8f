import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/** The user the test policy hides one group's entities from. */
export const RESTRICTED_USER = 'user:default/outsider';
/** The group whose entities {@link RESTRICTED_USER} may not read. */
export const HIDDEN_GROUP = 'group:default/team-c';

/**
 * Everything is allowed, except that {@link RESTRICTED_USER} may read no
 * catalog entity owned by {@link HIDDEN_GROUP}: a conditional decision the
 * catalog turns into a database filter, as a real policy's would be.
 */
class TestPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (
      user?.info.userEntityRef === RESTRICTED_USER &&
      isResourcePermission(permission, 'catalog-entity') &&
      permission.name === 'catalog.entity.read'
    ) {
      return createCatalogConditionalDecision(permission, {
        not: catalogConditions.isEntityOwner({ claims: [HIDDEN_GROUP] }),
      });
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs the test policy in the permission backend. */
export const permissionModuleTestPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'changes-test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new TestPolicy());
      },
    });
  },
});
