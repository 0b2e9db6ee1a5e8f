import { useMemo } from 'react';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import {
  parseVersionPolicy,
  VERSION_POLICY_CONFIG_KEY,
  VersionPolicy,
} from '@fleetdeck/plugin-fleet-common';

/**
 * The version policy from `fleet.versionPolicy`. The backend refuses to start
 * on a malformed one, so a parse error here means the frontend config is out
 * of step; the views then show versions without colours, and the error.
 */
export function useVersionPolicy(): {
  policy: VersionPolicy;
  error?: Error;
} {
  const configApi = useApi(configApiRef);
  const raw = configApi.getOptional(VERSION_POLICY_CONFIG_KEY);
  const key = JSON.stringify(raw ?? null);
  return useMemo(() => {
    try {
      return { policy: parseVersionPolicy(raw) };
    } catch (e) {
      return { policy: {}, error: e as Error };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
}
