import { useApiHolder } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { FleetMaintenanceResponse } from '@fleetdeck/plugin-runbooks-react';
import { fetchFleetMaintenance, isUnavailable } from './fleetMaintenance';

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
