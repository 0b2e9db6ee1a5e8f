import type { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_INVENTORY_HASH } from '../inventory/contentHash';

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
 * The clusters emitted under `locationKey` that the catalog serves to a
 * filtered `kind=Cluster` query, the way the Fleet page and API users list
 * clusters, each with the content hash it is served with: an entity stitched
 * without its search rows opens by name but is missing here, so it counts as
 * not served.
 */
export async function servedClusters(options: {
  catalog: CatalogService;
  auth: AuthService;
  locationKey: string;
}): Promise<Map<string, string | undefined>> {
  const { catalog, auth, locationKey } = options;
  const credentials = await auth.getOwnServiceCredentials();
  const served = new Map<string, string | undefined>();
  for await (const page of catalog.streamEntities(
    {
      filter: {
        kind: 'Cluster',
        'metadata.annotations.backstage.io/managed-by-location': locationKey,
      },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        `metadata.annotations.${ANNOTATION_INVENTORY_HASH}`,
      ],
    },
    { credentials },
  )) {
    page.forEach(e =>
      served.set(
        stringifyEntityRef(e),
        e.metadata.annotations?.[ANNOTATION_INVENTORY_HASH],
      ),
    );
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
