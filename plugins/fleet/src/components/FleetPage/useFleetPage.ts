import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { FleetState, fleetRequest, FLEET_FIELDS } from './fleetQuery';

/** Rows per page of the Fleet table. */
export const PAGE_SIZE = 50;

/**
 * One page of clusters from the catalog's by-query API. A new filter, search
 * or sort starts at the first page; Next/Previous follow the API's cursors,
 * so the browser never holds more than one page.
 */
export function useFleetPage(state: FleetState) {
  const catalogApi = useApi(catalogApiRef);
  const [cursor, setCursor] = useState<string | undefined>();
  const [offset, setOffset] = useState(0);
  const key = JSON.stringify(state);
  useEffect(() => {
    setCursor(undefined);
    setOffset(0);
  }, [key]);

  const page = useAsync(async () => {
    if (cursor) {
      return catalogApi.queryEntities({
        cursor,
        limit: PAGE_SIZE,
        fields: FLEET_FIELDS,
      });
    }
    return catalogApi.queryEntities(fleetRequest(state, PAGE_SIZE));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key, cursor]);

  const next = page.value?.pageInfo.nextCursor;
  const prev = page.value?.pageInfo.prevCursor;
  return {
    ...page,
    offset,
    goNext: next
      ? () => {
          setCursor(next);
          setOffset(o => o + PAGE_SIZE);
        }
      : undefined,
    goPrev: prev
      ? () => {
          setCursor(prev);
          setOffset(o => Math.max(0, o - PAGE_SIZE));
        }
      : undefined,
  };
}
