import type { Entity } from '@backstage/catalog-model';
import { createHash } from 'node:crypto';

/**
 * Annotation with a hash of the cluster as the provider emitted it. The
 * reconcile compares it with what the catalog serves, so a cluster the
 * catalog still serves in an older version (its update processed but never
 * stitched) counts as not served, like a missing one.
 */
export const ANNOTATION_INVENTORY_HASH = 'fleetdeck.io/inventory-hash';

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The entity with its content hash annotation (sha1 over everything else, 16 hex digits). */
export function withContentHash(entity: Entity): Entity {
  const hash = createHash('sha1').update(stable(entity)).digest('hex');
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...entity.metadata.annotations,
        [ANNOTATION_INVENTORY_HASH]: hash.slice(0, 16),
      },
    },
  };
}
