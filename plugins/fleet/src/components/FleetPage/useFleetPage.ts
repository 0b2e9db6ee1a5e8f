import { useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  FleetPlan,
  fleetPlan,
  FleetState,
  FLEET_FIELDS,
  scanRefs,
} from './fleetQuery';
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
 * so the browser never holds more than one page. A maintenance or
 * certificate filter of more clusters than one catalog request takes is the
 * exception (see fleetPlan): the browser then lists the refs of the clusters
 * the other filters and the search match, in the table's order, keeps those
 * of the filter, and reads each page's rows by their refs.
 */
export function useFleetPage(state: FleetState) {
  const catalogApi = useApi(catalogApiRef);
  const apis = useApiHolder();
  const key = JSON.stringify(state);
  const [position, setPosition] = useState<Position>({ key, offset: 0 });
  const current = position.key === key ? position : { key, offset: 0 };
  const { policy } = useVersionPolicy();

  /**
   * The plan for `limit` rows a page; a policy filter is resolved to versions
   * first, maintenance and certificate filters to clusters (from the
   * runbooks' runs).
   */
  const planFor = async (limit: number) =>
    fleetPlan(
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

  /**
   * The kept refs of a plan with `keep`, listed once per query and policy:
   * Next, Previous and select-all reuse them (nothing is planned again).
   */
  const listed = useRef<{ key: string; refs: Promise<string[]> }>();
  const listKey = JSON.stringify([key, policy]);
  const listedRefs = (plan: Required<FleetPlan>) => {
    if (listed.current?.key !== listKey) {
      const refs = scanRefs(catalogApi, plan.request, plan.keep);
      listed.current = { key: listKey, refs };
      // a failure is not kept: the next page asks again
      refs.catch(() => {
        if (listed.current?.refs === refs) listed.current = undefined;
      });
    }
    return listed.current.refs;
  };

  const page = useAsync(async () => {
    // another query lists afresh when the user comes back to this one
    if (listed.current?.key !== listKey) listed.current = undefined;
    let response;
    let listedTotal: number | undefined;
    if (current.cursor) {
      response = await catalogApi.queryEntities({
        cursor: current.cursor,
        limit: PAGE_SIZE,
        fields: FLEET_FIELDS,
      });
    } else {
      const reused = listed.current?.key === listKey && listed.current.refs;
      const plan = reused ? undefined : await planFor(PAGE_SIZE);
      const listing =
        reused || (plan?.keep && listedRefs(plan as Required<FleetPlan>));
      if (listing) {
        const refs = await listing;
        const { items } = await catalogApi.getEntitiesByRefs({
          entityRefs: refs.slice(current.offset, current.offset + PAGE_SIZE),
          fields: FLEET_FIELDS,
        });
        listedTotal = refs.length;
        response = {
          // a cluster removed since the listing is left out
          items: items.filter((e): e is NonNullable<typeof e> => !!e),
          totalItems: refs.length,
          pageInfo: {},
        };
      } else if (!plan) {
        response = { items: [], totalItems: 0, pageInfo: {} };
      } else {
        response = await catalogApi.queryEntities(plan.request);
      }
    }
    // The offset travels with the response, so the range shown matches the rows.
    return { response, offset: current.offset, listedTotal };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key, current.cursor, current.offset, policy]);

  const next = page.value?.response.pageInfo.nextCursor;
  const prev = page.value?.response.pageInfo.prevCursor;
  const offset = page.value?.offset ?? 0;
  const listedTotal = page.value?.listedTotal;
  // A listing pages by offset, the catalog by its cursors.
  let nextAt: Position | undefined;
  let prevAt: Position | undefined;
  const back = Math.max(0, offset - PAGE_SIZE);
  if (listedTotal !== undefined) {
    if (offset + PAGE_SIZE < listedTotal) {
      nextAt = { key, offset: offset + PAGE_SIZE };
    }
    if (offset > 0) prevAt = { key, offset: back };
  } else {
    if (next) nextAt = { key, cursor: next, offset: offset + PAGE_SIZE };
    if (prev) prevAt = { key, cursor: prev, offset: back };
  }
  return {
    loading: page.loading,
    error: page.error,
    value: page.value?.response,
    offset,
    /** The refs of every cluster that matches, in the table's order. */
    matchingRefs: async (): Promise<string[]> => {
      if (listed.current?.key === listKey) return listed.current.refs;
      const plan = await planFor(PAGE_SIZE);
      if (!plan) return [];
      return plan.keep
        ? listedRefs(plan as Required<FleetPlan>)
        : scanRefs(catalogApi, plan.request);
    },
    goNext: nextAt && (() => setPosition(nextAt!)),
    goPrev: prevAt && (() => setPosition(prevAt!)),
  };
}
