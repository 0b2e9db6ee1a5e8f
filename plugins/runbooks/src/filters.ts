import { Entity } from '@backstage/catalog-model';

/** Kinds that runbooks target: the tab shows on these (empty state when none applies). */
export const RUNBOOK_TARGET_KINDS = ['cluster', 'component', 'resource'];

/** Whether the Runbooks tab belongs on an entity page. */
export function isRunbookTarget(entity: Entity) {
  return RUNBOOK_TARGET_KINDS.includes(entity.kind.toLocaleLowerCase('en-US'));
}
