import {
  Entity,
  parseEntityRef,
  RELATION_DEPENDS_ON,
} from '@backstage/catalog-model';

/** Whether the entity is a fleet Cluster. */
export function isClusterKind(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'cluster';
}

/** Whether the entity is a Group (the "Clusters owned" card shows there). */
export function isGroupKind(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'group';
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
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    dependencyClusterRefs(entity).length > 0
  );
}

/** A spec reference (`platform-kafka` or `group:default/platform-kafka`) as a full ref. */
export function refWithDefaults(
  ref: string,
  defaultKind: string,
  defaultNamespace = 'default',
) {
  return parseEntityRef(ref, { defaultKind, defaultNamespace });
}
