import { Entity, RELATION_DEPENDS_ON } from '@backstage/catalog-model';
import { isEntityKind } from '@fleetdeck/plugin-fleet-common';

/** Whether the entity is a Group (the "Clusters owned" card shows there). */
export function isGroupKind(entity: Entity): boolean {
  return isEntityKind(entity, 'group');
}

/** Refs of the clusters an entity depends on. */
export function dependencyClusterRefs(entity: Entity): string[] {
  return (entity.relations ?? [])
    .filter(
      r => r.type === RELATION_DEPENDS_ON && r.targetRef.startsWith('cluster:'),
    )
    .map(r => r.targetRef);
}

/** Whether a Component depends on at least one cluster. */
export function dependsOnClusters(entity: Entity): boolean {
  return (
    isEntityKind(entity, 'component') &&
    dependencyClusterRefs(entity).length > 0
  );
}
