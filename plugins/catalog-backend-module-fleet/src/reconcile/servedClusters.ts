import type { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/** How an inventory's clusters stand in the catalog, as the status entity reports it. */
export interface InventoryCounts {
  /** Clusters the provider emitted in its last applied refresh. */
  emitted: number;
  /** Of those, how many a `kind=Cluster` query serves. */
  served: number;
  /** Not served yet: still being processed, or stuck and being healed. */
  healing: number;
  /** Not served because their processing failed (their status says why). */
  failing: number;
}

/**
 * Which of `expected` (entity refs) the catalog serves to a filtered
 * `kind=Cluster` query, the way the Fleet page and API users list clusters:
 * an entity stitched without its search rows opens by name but is missing
 * here, so it counts as not served.
 */
export async function servedClusters(options: {
  catalog: CatalogService;
  auth: AuthService;
  locationKey: string;
}): Promise<Set<string>> {
  const { catalog, auth, locationKey } = options;
  const credentials = await auth.getOwnServiceCredentials();
  const served = new Set<string>();
  for await (const page of catalog.streamEntities(
    {
      filter: {
        kind: 'Cluster',
        'metadata.annotations.backstage.io/managed-by-location': locationKey,
      },
      fields: ['kind', 'metadata.name', 'metadata.namespace'],
    },
    { credentials },
  )) {
    page.forEach(e => served.add(stringifyEntityRef(e)));
  }
  return served;
}

/** Whether the catalog serves one entity by its ref (the status entity). */
export async function servesRef(options: {
  catalog: CatalogService;
  auth: AuthService;
  ref: string;
}): Promise<boolean> {
  const credentials = await options.auth.getOwnServiceCredentials();
  const { items } = await options.catalog.getEntitiesByRefs(
    { entityRefs: [options.ref], fields: ['kind', 'metadata.name'] },
    { credentials },
  );
  return !!items[0];
}
