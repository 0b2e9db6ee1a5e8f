import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import { FleetMaintenanceResponse } from '@fleetdeck/plugin-runbooks-react';
import {
  countInCatalog,
  fetchFleetMaintenance,
  isUnavailable,
} from './fleetMaintenance';

/**
 * The clusters' maintenance from the runbooks backend, for the overview's
 * cards. `hidden` when the portal has no runbooks API or its backend is not
 * there: the cards then show nothing rather than an error.
 */
export function useFleetMaintenance(): {
  value?: FleetMaintenanceResponse;
  loading: boolean;
  error?: Error;
  hidden: boolean;
} {
  const apis = useApiHolder();
  const result = useAsync(
    async () => (await fetchFleetMaintenance(apis)) ?? null,
    [apis],
  );
  const unavailable = !!result.error && isUnavailable(result.error);
  return {
    value: result.value ?? undefined,
    loading: result.loading,
    error: unavailable ? undefined : result.error,
    hidden: result.value === null || unavailable,
  };
}

/**
 * How many clusters of each of `buckets` are in the catalog (see
 * countInCatalog), asked again for another `key` or `data`; the value is
 * that of the current key only (none while another's is being counted).
 */
export function useCountsInCatalog<K extends string>(
  key: string,
  data: FleetMaintenanceResponse | undefined,
  buckets: (data: FleetMaintenanceResponse) => Record<K, string[]>,
) {
  const catalogApi = useApi(catalogApiRef);
  const result = useAsync(async () => {
    if (!data) return undefined;
    const entries = await Promise.all(
      Object.entries<string[]>(buckets(data)).map(async ([bucket, refs]) => [
        bucket,
        refs.length ? await countInCatalog(catalogApi, refs) : 0,
      ]),
    );
    return { key, counts: Object.fromEntries(entries) as Record<K, number> };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key, data]);
  return {
    loading: result.loading,
    error: result.error,
    value: result.value?.key === key ? result.value.counts : undefined,
  };
}
