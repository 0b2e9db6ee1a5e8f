import { parseEntityRef } from '@backstage/catalog-model';
import type { CatalogApi } from '@backstage/plugin-catalog-react';

type QueryEntitiesRequest = NonNullable<
  Parameters<CatalogApi['queryEntities']>[0]
>;
/** The catalog's predicate filter (`$all`, `$any`, `$not`, `$in`). */
type FilterPredicate = NonNullable<
  Extract<QueryEntitiesRequest, { filter?: unknown }>['query']
>;

/** The columns of the Fleet table, each with the catalog field it filters and sorts on. */
export const FLEET_COLUMNS = [
  { id: 'name', title: 'Name', field: 'metadata.name', facet: undefined },
  { id: 'engine', title: 'Engine', field: 'spec.engine', facet: 'spec.engine' },
  {
    id: 'version',
    title: 'Version',
    field: 'spec.version',
    facet: 'spec.version',
  },
  {
    id: 'environment',
    title: 'Environment',
    field: 'spec.environment',
    facet: 'spec.environment',
  },
  {
    id: 'owner',
    title: 'Owner',
    field: 'relations.ownedBy',
    facet: 'relations.ownedBy',
    sortField: 'spec.owner',
  },
  { id: 'region', title: 'Region', field: 'spec.region', facet: 'spec.region' },
  {
    id: 'nodes',
    title: 'Nodes',
    field: 'metadata.labels.fleetdeck.io/node-count',
    facet: 'metadata.labels.fleetdeck.io/node-count',
  },
] as const;

/** A column id. */
export type FleetColumnId = (typeof FLEET_COLUMNS)[number]['id'];

/** Clusters by where their version stands against the version policy. */
export const POLICY_FILTERS = ['current', 'outdated', 'eol'] as const;

/**
 * A version-policy filter: `outdated` is every cluster below its engine's
 * minimum (end-of-life ones included), `eol` only those on an end-of-life line.
 */
export type PolicyFilter = (typeof POLICY_FILTERS)[number];

/** When a runbook of a type last succeeded on a cluster (see MAINTENANCE_BUCKETS). */
export const MAINTENANCE_FILTERS = ['le7', '8-30', '31-90', 'gt90', 'never'];
/** How soon a cluster's first certificate expires (see CERTIFICATE_BUCKETS). */
export const CERTIFICATE_FILTERS = ['expired', 'le7', '8-30'];

/** What the user chose on the Fleet page; kept in the URL so it can be linked. */
export interface FleetState {
  q: string;
  filters: Partial<Record<FleetColumnId, string>>;
  /** Only clusters whose version has this standing against the policy. */
  policy?: PolicyFilter;
  /**
   * Only clusters where a runbook of `type` last succeeded this long ago
   * (one of MAINTENANCE_FILTERS), from the runbooks' runs; `type:bucket` in
   * the URL.
   */
  maintenance?: { type: string; bucket: string };
  /** Only clusters whose latest TLS check found a certificate expiring this soon (CERTIFICATE_FILTERS). */
  certificates?: string;
  sort: FleetColumnId;
  order: 'asc' | 'desc';
}

/**
 * The clusters the runbooks' runs resolved the maintenance and certificate
 * filters to: each entry a set of refs (or every cluster but those); a
 * cluster must be in all.
 */
export type RefsFilters = { refs: string[]; negate?: boolean }[];

/**
 * The versions in use, per engine, that match a policy filter (resolved from
 * the catalog's facets, see resolvePolicyVersions).
 */
export type PolicyVersions = Record<string, string[]>;

/** Only the fields the table shows travel over the wire. */
export const FLEET_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'spec.engine',
  'spec.version',
  'spec.environment',
  'spec.owner',
  'spec.region',
  'spec.nodes',
];

/** Reads the page state from URL search params. */
export function stateFromParams(params: URLSearchParams): FleetState {
  const filters: FleetState['filters'] = {};
  for (const c of FLEET_COLUMNS) {
    const v = params.get(c.id);
    if (v) filters[c.id] = v;
  }
  const sort =
    FLEET_COLUMNS.find(c => c.id === params.get('sort'))?.id ?? 'name';
  const policy = POLICY_FILTERS.find(p => p === params.get('policy'));
  const [type, bucket] = (params.get('maintenance') ?? '').split(':');
  const maintenance =
    type && MAINTENANCE_FILTERS.includes(bucket) ? { type, bucket } : undefined;
  const certificates = CERTIFICATE_FILTERS.find(
    c => c === params.get('certificates'),
  );
  return {
    q: params.get('q') ?? '',
    filters,
    ...(policy ? { policy } : {}),
    ...(maintenance ? { maintenance } : {}),
    ...(certificates ? { certificates } : {}),
    sort,
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
  };
}

/** Writes the page state to URL search params (empty values left out). */
export function stateToParams(state: FleetState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const [k, v] of Object.entries(state.filters)) if (v) params.set(k, v);
  if (state.policy) params.set('policy', state.policy);
  if (state.maintenance) {
    params.set(
      'maintenance',
      `${state.maintenance.type}:${state.maintenance.bucket}`,
    );
  }
  if (state.certificates) params.set('certificates', state.certificates);
  if (state.sort !== 'name') params.set('sort', state.sort);
  if (state.order === 'desc') params.set('order', 'desc');
  return params;
}

type Filter = Record<string, string | string[]>;

/**
 * The catalog filter for the chosen column filters. With a policy filter, one
 * alternative per engine names that engine's matching versions; `null` when
 * no version in use matches, so nothing needs asking.
 */
export function fleetFilter(
  state: FleetState,
  policyVersions?: PolicyVersions,
): Filter | Filter[] | null {
  const filter: Filter = { kind: 'cluster' };
  for (const c of FLEET_COLUMNS) {
    const v = state.filters[c.id];
    if (v) filter[c.field] = v;
  }
  if (!state.policy || !policyVersions) return filter;
  const alternatives = Object.entries(policyVersions)
    .filter(
      ([engine]) => !state.filters.engine || engine === state.filters.engine,
    )
    .map(([engine, versions]) => ({
      engine,
      versions: state.filters.version
        ? versions.filter(v => v === state.filters.version)
        : versions,
    }))
    .filter(a => a.versions.length > 0)
    .map(a => ({
      ...filter,
      'spec.engine': a.engine,
      'spec.version': a.versions,
    }));
  return alternatives.length ? alternatives : null;
}

/**
 * The largest refs predicate sent: the catalog reads request bodies of up to
 * 100 kB, and the cursor of the next pages carries the query again, encoded.
 * About 3,000 cluster names of 15 characters.
 */
export const MAX_REFS_QUERY_BYTES = 60_000;

/**
 * The catalog predicate of the clusters in every set of `refsFilters`
 * (refs grouped by namespace); `null` when a set without negation is empty,
 * so nothing matches; undefined when no set leaves a cluster out.
 */
export function refsQuery(
  refsFilters: RefsFilters,
): FilterPredicate | null | undefined {
  const parts: FilterPredicate[] = [];
  for (const { refs, negate } of refsFilters) {
    if (refs.length === 0) {
      if (negate) continue;
      return null;
    }
    const byNamespace = new Map<string, string[]>();
    for (const ref of refs) {
      const { namespace, name } = parseEntityRef(ref);
      byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), name]);
    }
    const any: FilterPredicate = {
      $any: [...byNamespace].map(([namespace, names]) => ({
        'metadata.namespace': namespace,
        'metadata.name': { $in: names },
      })),
    };
    parts.push(negate ? { $not: any } : any);
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { $all: parts };
}

/**
 * The first-page request to the catalog's by-query API; later pages follow
 * its cursors. `null` when the policy filter matches no version in use, or
 * the maintenance filters no cluster. With `refsFilters` the request carries
 * a predicate `query` (the client POSTs it: thousands of refs fit).
 */
export function fleetRequest(
  state: FleetState,
  limit: number,
  policyVersions?: PolicyVersions,
  refsFilters?: RefsFilters,
): QueryEntitiesRequest | null {
  const column = FLEET_COLUMNS.find(c => c.id === state.sort)!;
  const filter = fleetFilter(state, policyVersions);
  if (!filter) return null;
  const query = refsQuery(refsFilters ?? []);
  if (query === null) return null;
  if (query && JSON.stringify(query).length > MAX_REFS_QUERY_BYTES) {
    const count = refsFilters!.reduce((n, f) => n + f.refs.length, 0);
    throw new Error(
      `The maintenance and certificate filters name ${count} clusters, more than the catalog takes in one query; choose a smaller bar`,
    );
  }
  return {
    filter,
    ...(query ? { query } : {}),
    fields: FLEET_FIELDS,
    limit,
    orderFields: [
      {
        field: 'sortField' in column ? column.sortField : column.field,
        order: state.order,
      },
      ...(column.id === 'name'
        ? []
        : [{ field: 'metadata.name', order: 'asc' as const }]),
    ],
    ...(state.q.trim()
      ? {
          fullTextFilter: {
            term: state.q.trim(),
            fields: [
              'metadata.name',
              'metadata.title',
              'spec.engine',
              'spec.version',
              'spec.environment',
              'spec.owner',
              'spec.region',
            ],
          },
        }
      : {}),
  };
}
