import { createPermission } from '@backstage/plugin-permission-common';

/** Read deployments, diffs and the drift summary. */
export const deploymentsReadPermission = createPermission({
  name: 'deployments.deployment.read',
  attributes: { action: 'read' },
});

/**
 * Record a deployment through the ingestion API. Pipeline tokens can be
 * restricted to this permission alone with `accessRestrictions`.
 */
export const deploymentsCreatePermission = createPermission({
  name: 'deployments.deployment.create',
  attributes: { action: 'create' },
});

/** Every permission of the deployments plugin. */
export const deploymentsPermissions = [
  deploymentsReadPermission,
  deploymentsCreatePermission,
];
