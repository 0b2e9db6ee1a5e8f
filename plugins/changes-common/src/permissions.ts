import { createPermission } from '@backstage/plugin-permission-common';

/** Search the code of the repositories of entities the user may read. */
export const changesSearchPermission = createPermission({
  name: 'changes.search',
  attributes: { action: 'read' },
});

/** See changes and their previews. */
export const changesReadPermission = createPermission({
  name: 'changes.change.read',
  attributes: { action: 'read' },
});

/** Create a change and compute its preview (nothing is pushed). */
export const changesCreatePermission = createPermission({
  name: 'changes.change.create',
  attributes: { action: 'create' },
});

/**
 * Push a change's branch and open its pull request in one entity's repository.
 * Checked against the entity: the policy lets its owners (and admins) do it;
 * anyone else's apply waits for an owner's approval.
 */
export const changesApplyPermission = createPermission({
  name: 'changes.change.apply',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Every permission of the changes plugin. */
export const changesPermissions = [
  changesSearchPermission,
  changesReadPermission,
  changesCreatePermission,
  changesApplyPermission,
];
