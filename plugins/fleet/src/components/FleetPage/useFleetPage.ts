import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { FleetState, fleetRequest, FLEET_FIELDS } from './fleetQuery';
import { resolvePolicyVersions, useVersionPolicy } from '../VersionPolicy';
import { resolveRefsFilters } from '../FleetOverview/fleetMaintenance';

/** Rows per page of the Fleet table. */
export const PAGE_SIZE = 50;

interface Position {
  /** The query the cursor belongs to; a new query starts at the first page. */
  key: string;
  cursor?: string;
  offset: number;
}

/**
 * One page of clusters from the catalog's by-query API. A new filter, search
 * or sort starts at the first page; Next/Previous follow the API's cursors,
 * so the browser never holds more than one page.
 */
export function useFleetPage(state: FleetState) {
  const catalogApi = useApi(catalogApiRef);
  const apis = useApiHolder();
  const key = JSON.stringify(state);
  const [position, setPosition] = useState<Position>({ key, offset: 0 });
  const current = position.key === key ? position : { key, offset: 0 };
  const { policy } = useVersionPolicy();

  /**
   * The first-page request; a policy filter is resolved to versions first,
   * maintenance and certificate filters to clusters (from the runbooks' runs).
   */
  const requestFor = async (limit: number) =>
    fleetRequest(
      state,
      limit,
      state.policy
        ? await resolvePolicyVersions(
            catalogApi,
            policy,
            state.policy,
            state.filters.engine,
          )
        : undefined,
      await resolveRefsFilters(apis, state),
    );

  const page = useAsync(async () => {
    let response;
    if (current.cursor) {
      response = await catalogApi.queryEntities({
        cursor: current.cursor,
        limit: PAGE_SIZE,
        fields: FLEET_FIELDS,
      });
    } else {
      const request = await requestFor(PAGE_SIZE);
      response = request
        ? await catalogApi.queryEntities(request)
        : { items: [], totalItems: 0, pageInfo: {} };
    }
    // The offset travels with the response, so the range shown matches the rows.
    return { response, offset: current.offset };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key, current.cursor, policy]);

  const next = page.value?.response.pageInfo.nextCursor;
  const prev = page.value?.response.pageInfo.prevCursor;
  const offset = page.value?.offset ?? 0;
  return {
    loading: page.loading,
    error: page.error,
    value: page.value?.response,
    offset,
    /** The first-page request for `limit` rows, or null when nothing matches. */
    requestFor,
    goNext: next
      ? () => setPosition({ key, cursor: next, offset: offset + PAGE_SIZE })
      : undefined,
    goPrev: prev
      ? () =>
          setPosition({
            key,
            cursor: prev,
            offset: Math.max(0, offset - PAGE_SIZE),
          })
      : undefined,
  };
}
