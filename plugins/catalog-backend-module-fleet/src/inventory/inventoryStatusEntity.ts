import type { Entity } from '@backstage/catalog-model';
import type { InventoryCounts } from '../reconcile/servedClusters';

/** Location type of the entities that report an inventory provider's health. */
export const INVENTORY_LOCATION_TYPE = 'fleet-inventory';

/** Annotation holding the last refresh's outcome: ok, warnings, refused or failed. */
export const ANNOTATION_INVENTORY_STATUS = 'fleetdeck.io/inventory-status';

/** Annotation holding the last refresh's message. */
export const ANNOTATION_INVENTORY_MESSAGE = 'fleetdeck.io/inventory-message';

/** Annotations with the last reconcile's counts (see InventoryCounts); the Fleet page reads them. */
export const ANNOTATION_INVENTORY_COUNTS = {
  emitted: 'fleetdeck.io/inventory-cluster-count',
  served: 'fleetdeck.io/inventory-served-count',
  healing: 'fleetdeck.io/inventory-healing-count',
  failing: 'fleetdeck.io/inventory-failing-count',
} as const;

/** Outcome of a refresh. */
export type InventoryStatus = 'ok' | 'warnings' | 'refused' | 'failed';

/**
 * The Location entity that stands for one inventory provider. Its annotations
 * carry the last refresh's outcome; the processor turns a refused or failed
 * one into a processing error, so it shows where Backstage users look for
 * ingestion problems (the entity's processing status) and on the Fleet page.
 */
export function inventoryStatusEntity(options: {
  id: string;
  type: string;
  source: string;
  locationKey: string;
  status: InventoryStatus;
  message: string;
  clusters?: number;
  counts?: InventoryCounts;
}): Entity {
  const { counts } = options;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Location',
    metadata: {
      name: `fleet-inventory-${options.id}`
        .toLocaleLowerCase('en-US')
        .replace(/[^a-z0-9-]+/g, '-')
        .slice(0, 63),
      title: `Fleet inventory ${options.id}`,
      description: `Clusters from the ${options.type} inventory ${options.source}`,
      annotations: {
        'backstage.io/managed-by-location': options.locationKey,
        'backstage.io/managed-by-origin-location': options.locationKey,
        [ANNOTATION_INVENTORY_STATUS]: options.status,
        [ANNOTATION_INVENTORY_MESSAGE]: options.message.slice(0, 4000),
        'fleetdeck.io/inventory-checked-at': new Date().toISOString(),
        ...(options.clusters !== undefined
          ? { [ANNOTATION_INVENTORY_COUNTS.emitted]: String(options.clusters) }
          : {}),
        ...(counts
          ? {
              [ANNOTATION_INVENTORY_COUNTS.served]: String(counts.served),
              [ANNOTATION_INVENTORY_COUNTS.healing]: String(counts.healing),
              [ANNOTATION_INVENTORY_COUNTS.failing]: String(counts.failing),
            }
          : {}),
      },
    },
    spec: { type: INVENTORY_LOCATION_TYPE, target: options.source },
  };
}
