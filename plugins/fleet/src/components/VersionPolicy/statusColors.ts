import type { VersionStatus } from '@fleetdeck/plugin-fleet-common';

/** Colours of a version's standing, the same in every chart, chip and table. */
export const STATUS_COLORS: Record<VersionStatus, string> = {
  current: '#2e7d32',
  outdated: '#ef6c00',
  eol: '#c62828',
  unknown: '#757575',
};

/** Words for a version's standing. */
export const STATUS_LABELS: Record<VersionStatus, string> = {
  current: 'current',
  outdated: 'outdated',
  eol: 'end-of-life',
  unknown: 'no policy',
};
