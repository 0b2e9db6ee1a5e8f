import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_INVENTORY_GROUP,
  ANNOTATION_INVENTORY_SOURCE,
  CLUSTER_API_VERSION,
  CLUSTER_KIND,
  LABEL_ENGINE,
  LABEL_ENVIRONMENT,
} from '@fleetdeck/plugin-fleet-common';

/** Annotation through which a provider hands per-cluster problems to the processor. */
export const ANNOTATION_INVENTORY_PROBLEMS = 'fleetdeck.io/inventory-problems';

/** A cluster as read from an inventory, before it becomes an entity. */
export interface ClusterDraft {
  /** Where it came from, for messages: `hosts.yml group kafka_payments_prod`. */
  origin: string;
  /** The inventory's own id for it (Ansible group name, CMDB record id). */
  sourceId: string;
  name: string;
  title?: string;
  description?: string;
  engine?: unknown;
  version?: unknown;
  environment?: unknown;
  owner?: unknown;
  system?: unknown;
  region?: unknown;
  nodes: unknown;
  endpoints?: unknown;
  maintenanceWindow?: unknown;
  labels?: unknown;
  annotations?: unknown;
  tags?: unknown;
  /** Problems the inventory found in the record (named by field, never by value). */
  problems?: string[];
}

/** Fields every inventory reads the same way, by a source-specific getter. */
const PLAIN_FIELDS = [
  'engine',
  'version',
  'environment',
  'owner',
  'system',
  'region',
  'endpoints',
  'maintenanceWindow',
  'labels',
  'annotations',
  'tags',
] as const;

/** Builds a draft from a getter over an inventory's record (group vars, JSON record). */
export function draftFromFields(
  get: (field: string) => unknown,
  base: Pick<ClusterDraft, 'origin' | 'sourceId' | 'name' | 'nodes'>,
): ClusterDraft {
  const text = (field: string) =>
    get(field) === undefined ? undefined : String(get(field));
  const draft: ClusterDraft = {
    ...base,
    title: text('title'),
    description: text('description'),
  };
  for (const field of PLAIN_FIELDS) draft[field] = get(field);
  return draft;
}

const str = (v: unknown): string | undefined =>
  v === undefined || v === null || v === '' ? undefined : String(v);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Turns a name from an inventory (`kafka_payments_prod`) into an entity name. */
export function toEntityName(raw: string): string {
  return raw
    .trim()
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9-.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 63);
}

/** Accepts endpoints as `{name: url}`, `[url]` or `[{name, url}]`. */
function normalizeEndpoints(value: unknown): unknown {
  if (value === undefined || value === null) return [];
  if (isRecord(value)) {
    return Object.entries(value).map(([name, url]) => ({
      name,
      url: String(url),
    }));
  }
  if (Array.isArray(value)) {
    return value.map((e, i) =>
      typeof e === 'string'
        ? { name: i === 0 ? 'primary' : `endpoint-${i + 1}`, url: e }
        : e,
    );
  }
  return value;
}

/** Accepts `duration_minutes` as well as `durationMinutes`, and a single day as a string. */
function normalizeWindow(value: unknown): unknown {
  if (!isRecord(value)) return value ?? undefined;
  const days = value.days ?? value.day;
  return {
    days: (typeof days === 'string' ? [days] : days) as unknown,
    start: str(value.start),
    durationMinutes: value.durationMinutes ?? value.duration_minutes,
    timezone: value.timezone ?? value.tz ?? 'UTC',
  };
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, String(v)]),
  );
}

/**
 * Builds the Cluster entity for a draft. Nothing is dropped for being invalid:
 * the processor validates and reports the entity and field in its status.
 */
export function draftToEntity(
  draft: ClusterDraft,
  source: { locationKey: string; sourceLabel: string },
  problems: string[] = [],
): Entity {
  const engine = str(draft.engine)?.toLocaleLowerCase('en-US');
  const environment = str(draft.environment);
  const labels: Record<string, string> = { ...stringMap(draft.labels) };
  if (engine) labels[LABEL_ENGINE] = toEntityName(engine);
  if (environment) labels[LABEL_ENVIRONMENT] = toEntityName(environment);
  const annotations: Record<string, string> = {
    ...stringMap(draft.annotations),
    'backstage.io/managed-by-location': source.locationKey,
    'backstage.io/managed-by-origin-location': source.locationKey,
    [ANNOTATION_INVENTORY_SOURCE]: source.sourceLabel,
    [ANNOTATION_INVENTORY_GROUP]: draft.sourceId,
  };
  if (problems.length)
    annotations[ANNOTATION_INVENTORY_PROBLEMS] = JSON.stringify(problems);
  const spec: Record<string, unknown> = {
    engine,
    version: str(draft.version),
    environment,
    owner: str(draft.owner),
    system: str(draft.system),
    region: str(draft.region),
    nodes: Array.isArray(draft.nodes) ? draft.nodes.map(String) : draft.nodes,
    endpoints: normalizeEndpoints(draft.endpoints),
    maintenanceWindow: normalizeWindow(draft.maintenanceWindow),
  };
  for (const key of Object.keys(spec))
    if (spec[key] === undefined) delete spec[key];
  const tags = Array.isArray(draft.tags)
    ? draft.tags.map(t => toEntityName(String(t)))
    : undefined;
  return {
    apiVersion: CLUSTER_API_VERSION,
    kind: CLUSTER_KIND,
    metadata: {
      name: draft.name,
      ...(draft.title ? { title: draft.title } : {}),
      ...(draft.description ? { description: draft.description } : {}),
      ...(tags?.length ? { tags } : {}),
      labels,
      annotations,
    },
    spec: spec as Entity['spec'],
  };
}
