import type { CatalogApi } from '@backstage/plugin-catalog-react';

type QueryEntitiesRequest = NonNullable<
  Parameters<CatalogApi['queryEntities']>[0]
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

/** What the user chose on the Fleet page; kept in the URL so it can be linked. */
export interface FleetState {
  q: string;
  filters: Partial<Record<FleetColumnId, string>>;
  /** Only clusters whose version has this standing against the policy. */
  policy?: PolicyFilter;
  sort: FleetColumnId;
  order: 'asc' | 'desc';
}

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
  return {
    q: params.get('q') ?? '',
    filters,
    ...(policy ? { policy } : {}),
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
 * The first-page request to the catalog's by-query API; later pages follow
 * its cursors. `null` when the policy filter matches no version in use.
 */
export function fleetRequest(
  state: FleetState,
  limit: number,
  policyVersions?: PolicyVersions,
): QueryEntitiesRequest | null {
  const column = FLEET_COLUMNS.find(c => c.id === state.sort)!;
  const filter = fleetFilter(state, policyVersions);
  if (!filter) return null;
  return {
    filter,
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
