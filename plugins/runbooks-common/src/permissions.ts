import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The resource type the runbook permissions are checked against: the catalog
 * entity a run targets (or the runbook entity), so that policies can make them
 * conditional on ownership with the catalog's `isEntityOwner` rule.
 * @public
 */
export const RUNBOOK_PERMISSION_RESOURCE_TYPE = 'catalog-entity';

/** Start a runbook on a target entity; checked per target. @public */
export const runbooksRunPermission = createPermission({
  name: 'runbooks.run',
  attributes: { action: 'create' },
  resourceType: RUNBOOK_PERMISSION_RESOURCE_TYPE,
});

/** Approve or reject a waiting target; checked per target. @public */
export const runbooksApprovePermission = createPermission({
  name: 'runbooks.approve',
  attributes: { action: 'update' },
  resourceType: RUNBOOK_PERMISSION_RESOURCE_TYPE,
});

/** Cancel or retry someone else's run; checked on the runbook entity. @public */
export const runbooksCancelPermission = createPermission({
  name: 'runbooks.cancel',
  attributes: { action: 'update' },
  resourceType: RUNBOOK_PERMISSION_RESOURCE_TYPE,
});

/** Read runbook runs and their logs; checked on the runbook entity. @public */
export const runbooksReadPermission = createPermission({
  name: 'runbooks.read',
  attributes: { action: 'read' },
  resourceType: RUNBOOK_PERMISSION_RESOURCE_TYPE,
});

/** Every permission of the runbooks plugin. @public */
export const runbooksPermissions = [
  runbooksRunPermission,
  runbooksApprovePermission,
  runbooksCancelPermission,
  runbooksReadPermission,
];
