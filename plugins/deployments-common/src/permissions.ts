import { createPermission } from '@backstage/plugin-permission-common';

/** Read deployments, diffs and the drift summary. */
export const deploymentsReadPermission = createPermission({
  name: 'deployments.deployment.read',
  attributes: { action: 'read' },
});

/**
 * Record a deployment of a catalog entity through the ingestion API. Checked
 * against the entity, so a policy can keep it to the entity's owners; pipeline
 * tokens can be restricted to this permission alone with `accessRestrictions`.
 */
export const deploymentsCreatePermission = createPermission({
  name: 'deployments.deployment.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/** Every permission of the deployments plugin. */
export const deploymentsPermissions = [
  deploymentsReadPermission,
  deploymentsCreatePermission,
];
