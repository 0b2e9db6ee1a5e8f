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

/** What the user chose on the Fleet page; kept in the URL so it can be linked. */
export interface FleetState {
  q: string;
  filters: Partial<Record<FleetColumnId, string>>;
  sort: FleetColumnId;
  order: 'asc' | 'desc';
}

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
  return {
    q: params.get('q') ?? '',
    filters,
    sort,
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
  };
}

/** Writes the page state to URL search params (empty values left out). */
export function stateToParams(state: FleetState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const [k, v] of Object.entries(state.filters)) if (v) params.set(k, v);
  if (state.sort !== 'name') params.set('sort', state.sort);
  if (state.order === 'desc') params.set('order', 'desc');
  return params;
}

/** The catalog filter for the chosen column filters. */
export function fleetFilter(state: FleetState): Record<string, string> {
  const filter: Record<string, string> = { kind: 'cluster' };
  for (const c of FLEET_COLUMNS) {
    const v = state.filters[c.id];
    if (v) filter[c.field] = v;
  }
  return filter;
}

/** The first-page request to the catalog's by-query API; later pages follow its cursors. */
export function fleetRequest(
  state: FleetState,
  limit: number,
): QueryEntitiesRequest {
  const column = FLEET_COLUMNS.find(c => c.id === state.sort)!;
  return {
    filter: fleetFilter(state),
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
