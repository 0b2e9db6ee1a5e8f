import type { Entity } from '@backstage/catalog-model';
import { z } from 'zod';
import {
  CLUSTER_API_VERSION,
  CLUSTER_ENGINES,
  CLUSTER_KIND,
  clusterEndpointSchema,
  clusterSpecSchema,
  maintenanceWindowSchema,
} from './schema';

/** An engine a Cluster runs. */
export type ClusterEngine = (typeof CLUSTER_ENGINES)[number];

/** One way in to a cluster. */
export type ClusterEndpoint = z.infer<typeof clusterEndpointSchema>;

/** A weekly maintenance window. */
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

/** The spec of a Cluster entity. */
export type ClusterSpec = z.infer<typeof clusterSpecSchema>;

/** A Cluster entity as the catalog returns it. */
export interface ClusterEntityV1alpha1 extends Entity {
  apiVersion: typeof CLUSTER_API_VERSION;
  kind: typeof CLUSTER_KIND;
  spec: ClusterSpec;
}

/** Alias of the current Cluster entity version. */
export type ClusterEntity = ClusterEntityV1alpha1;
