import type { Config } from '@backstage/config';
import {
  parseVersionPolicy,
  VERSION_POLICY_CONFIG_KEY,
  VersionPolicy,
} from '@fleetdeck/plugin-fleet-common';

/**
 * Reads `fleet.versionPolicy` and refuses a bad one, so a typo stops the
 * backend at startup with the setting named, instead of the Fleet page
 * quietly colouring nothing. The policy itself is served to the frontend
 * through the app's config (see plugins/fleet/config.d.ts).
 */
export function readVersionPolicy(config: Config): VersionPolicy {
  return parseVersionPolicy(config.getOptional(VERSION_POLICY_CONFIG_KEY));
}
