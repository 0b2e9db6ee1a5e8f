import { z } from 'zod';

/** The apiVersion of Fleetdeck's Cluster kind. */
export const CLUSTER_API_VERSION = 'fleetdeck.io/v1alpha1';

/** The kind name of Fleetdeck's Cluster entities. */
export const CLUSTER_KIND = 'Cluster';

/** The engines a Cluster can run. */
export const CLUSTER_ENGINES = [
  'kafka',
  'mongodb',
  'postgresql',
  'kubernetes',
  'redis',
  'other',
] as const;

/** The environments Fleetdeck's demo and UI order clusters by (any string is allowed). */
export const KNOWN_ENVIRONMENTS = ['dev', 'staging', 'production'] as const;

const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/,
    'must be a host name (letters, digits, ".", "-", "_")',
  );

/** One way in to a cluster: a bootstrap server, a connection string, an API server. */
export const clusterEndpointSchema = z.object({
  name: z.string().min(1),
  url: z.string().min(1),
});

/** A weekly window in which disruptive maintenance may run. */
export const maintenanceWindowSchema = z.object({
  days: z
    .array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']))
    .min(1),
  start: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM'),
  durationMinutes: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 60),
  timezone: z.string().min(1),
});

/** The spec of a Cluster entity. */
export const clusterSpecSchema = z.object({
  engine: z.enum(CLUSTER_ENGINES),
  version: z.string().min(1),
  environment: z.string().min(1),
  owner: z.string().min(1),
  system: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  nodes: z.array(hostName),
  endpoints: z.array(clusterEndpointSchema),
  maintenanceWindow: maintenanceWindowSchema.optional(),
});

/**
 * A whole Cluster entity. Metadata (labels, annotations, tags, ...) passes
 * through untouched; the catalog model validates it.
 */
export const clusterEntitySchema = z.object({
  apiVersion: z.literal(CLUSTER_API_VERSION),
  kind: z.literal(CLUSTER_KIND),
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: clusterSpecSchema,
  relations: z.array(z.any()).optional(),
  status: z.any().optional(),
});
