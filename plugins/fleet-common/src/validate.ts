import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { isEntityKind } from './refs';
import { clusterEntitySchema } from './schema';
import type { ClusterEntity } from './types';

/**
 * True when the entity is a Fleetdeck Cluster (kind `Cluster` of
 * `fleetdeck.io/v1alpha1`): the one test for entity page filters, the
 * catalog processor and the cards alike. Its fields are left to validation.
 */
export function isClusterEntity(entity: Entity): entity is ClusterEntity {
  return (
    isEntityKind(entity, 'cluster') &&
    entity.apiVersion === 'fleetdeck.io/v1alpha1'
  );
}

/** One problem with a Cluster entity, naming the field. */
export interface ClusterValidationIssue {
  /** Dotted path of the field, e.g. `spec.owner` or `spec.nodes.2`. */
  field: string;
  message: string;
}

/** Result of {@link validateClusterEntity}. */
export type ClusterValidationResult =
  | { ok: true; entity: ClusterEntity }
  | { ok: false; issues: ClusterValidationIssue[]; message: string };

/**
 * Validates an entity against the Cluster schema. The message names the entity
 * and each offending field, so it reads well in a processing status.
 */
export function validateClusterEntity(
  entity: unknown,
): ClusterValidationResult {
  const parsed = clusterEntitySchema.safeParse(entity);
  if (parsed.success) {
    return { ok: true, entity: entity as ClusterEntity };
  }
  const issues = parsed.error.issues.map(issue => ({
    field: issue.path.map(String).join('.') || '(entity)',
    message: issue.message,
  }));
  let ref = 'cluster:<unnamed>';
  try {
    ref = stringifyEntityRef(entity as Entity);
  } catch {
    // keep the placeholder: the entity has no usable name
  }
  const detail = issues.map(i => `${i.field}: ${i.message}`).join('; ');
  return {
    ok: false,
    issues,
    message: `Invalid Cluster entity ${ref}: ${detail}`,
  };
}
