import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
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
 * About 3,000 cluster names of 15 characters; larger sets are applied by the
 * browser (see fleetPlan).
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
      const names = byNamespace.get(namespace);
      if (names) names.push(name);
      else byNamespace.set(namespace, [name]);
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
 * a predicate `query` (the client POSTs it: thousands of refs fit, see
 * MAX_REFS_QUERY_BYTES; fleetPlan keeps larger sets out of it).
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

/**
 * The refs filters that fit one catalog request (the smallest first, up to
 * MAX_REFS_QUERY_BYTES together), and the rest, for the browser to apply.
 */
export function splitRefsFilters(refsFilters: RefsFilters): {
  server: RefsFilters;
  client: RefsFilters;
} {
  const size = (filters: RefsFilters) =>
    JSON.stringify(refsQuery(filters) ?? null).length;
  const bySize = refsFilters
    .map(f => ({ f, bytes: size([f]) }))
    .sort((a, b) => a.bytes - b.bytes);
  const server: RefsFilters = [];
  const client: RefsFilters = [];
  for (const { f } of bySize) {
    if (size([...server, f]) <= MAX_REFS_QUERY_BYTES) server.push(f);
    else client.push(f);
  }
  return { server, client };
}

/** The catalog compares names and namespaces without case; so does the browser. */
const normalizeRef = (ref: string) => ref.toLocaleLowerCase('en-US');

/** Whether a cluster's ref is in every set of `refsFilters` (in none of the negated ones). */
export function refsMatcher(
  refsFilters: RefsFilters,
): (ref: string) => boolean {
  const sets = refsFilters.map(f => ({
    refs: new Set(f.refs.map(normalizeRef)),
    negate: !!f.negate,
  }));
  return ref => {
    const r = normalizeRef(ref);
    return sets.every(s => s.refs.has(r) !== s.negate);
  };
}

/**
 * How the table asks for its clusters: one catalog request; and when the
 * maintenance and certificate filters name more clusters than one request
 * takes, `keep`, the filters left out of it: the table then lists the
 * request's clusters (refs only, in its order, see scanRefs), keeps those
 * and reads the rows of a page by their refs. `null` when nothing matches.
 */
export interface FleetPlan {
  request: QueryEntitiesRequest;
  keep?: (ref: string) => boolean;
}

/** The plan for `state` (see FleetPlan); `null` when nothing matches. */
export function fleetPlan(
  state: FleetState,
  limit: number,
  policyVersions?: PolicyVersions,
  refsFilters: RefsFilters = [],
): FleetPlan | null {
  const { server, client } = splitRefsFilters(refsFilters);
  const request = fleetRequest(state, limit, policyVersions, server);
  if (!request) return null;
  return client.length ? { request, keep: refsMatcher(client) } : { request };
}

/** Clusters per request when the table lists its clusters' refs. */
export const SCAN_LIMIT = 2_500;
const REF_FIELDS = ['kind', 'metadata.namespace', 'metadata.name'];

/**
 * The refs of every cluster `request` matches, in its order, that `keep`
 * keeps: only kind, namespace and name travel, SCAN_LIMIT at a time.
 */
export async function scanRefs(
  catalogApi: Pick<CatalogApi, 'queryEntities'>,
  request: QueryEntitiesRequest,
  keep: (ref: string) => boolean = () => true,
): Promise<string[]> {
  const refs: string[] = [];
  let response = await catalogApi.queryEntities({
    ...request,
    limit: SCAN_LIMIT,
    fields: REF_FIELDS,
  });
  for (;;) {
    for (const entity of response.items) {
      const ref = stringifyEntityRef(entity);
      if (keep(ref)) refs.push(ref);
    }
    const cursor = response.pageInfo.nextCursor;
    if (!cursor) return refs;
    response = await catalogApi.queryEntities({
      cursor,
      limit: SCAN_LIMIT,
      fields: REF_FIELDS,
    });
  }
}
