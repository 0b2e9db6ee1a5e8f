import { Config } from '@backstage/config';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';

/**
 * Permissions that change an entity: allowed to the members of the entity's
 * owner group (and to admins). Fleetdeck plugins add theirs as they come.
 */
const ownerOnlyCatalogPermissions = [
  catalogEntityRefreshPermission,
  catalogEntityDeletePermission,
];

/**
 * Fleetdeck's own owner-only permissions, matched by name so this module needs
 * no dependency on the plugins that define them. All are resource permissions
 * on a catalog entity: only its owners may start runbook runs on it, cancel or
 * retry them, record a deployment of it by hand (pipelines use tokens
 * restricted to that permission), or push a fleet-wide change's branch to
 * its repository (anyone else's apply waits for an owner's approval). `runbooks.approve` and `runbooks.read` fall
 * through to ALLOW: the runbook's approver groups (enforced by the runbooks
 * backend) decide who approves.
 */
const ownerOnlyFleetdeckPermissions = [
  'runbooks.run',
  'runbooks.cancel',
  'deployments.deployment.create',
  'changes.change.apply',
];

/**
 * Fleetdeck's permission policy.
 *
 * - Admins (members of `fleetdeck.permissions.adminGroups`) may do everything.
 * - Every signed-in user may read the catalog.
 * - Refreshing or unregistering an entity is allowed to its owners only.
 * - Deleting a location (which can remove entities of many owners) is for admins.
 * - Anything else that a plugin checks is allowed to signed-in users; requests
 *   without a user are denied.
 *
 * @public
 */
export class FleetdeckPermissionPolicy implements PermissionPolicy {
  static fromConfig(config: Config): FleetdeckPermissionPolicy {
    const adminGroups =
      config.getOptionalStringArray('fleetdeck.permissions.adminGroups') ?? [];
    return new FleetdeckPermissionPolicy({ adminGroups });
  }

  private readonly adminGroups: Set<string>;

  constructor(options: { adminGroups: string[] }) {
    this.adminGroups = new Set(
      options.adminGroups.map(ref => ref.toLocaleLowerCase('en-US')),
    );
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const claims = user.info.ownershipEntityRefs;
    if (this.isAdmin(claims)) {
      return { result: AuthorizeResult.ALLOW };
    }

    const { permission } = request;
    if (isPermission(permission, catalogEntityReadPermission)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (
      isResourcePermission(permission, 'catalog-entity') &&
      (ownerOnlyCatalogPermissions.some(p => isPermission(permission, p)) ||
        ownerOnlyFleetdeckPermissions.includes(permission.name))
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    if (isPermission(permission, catalogLocationDeletePermission)) {
      return { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }

  private isAdmin(claims: string[]): boolean {
    return claims.some(ref =>
      this.adminGroups.has(ref.toLocaleLowerCase('en-US')),
    );
  }
}
