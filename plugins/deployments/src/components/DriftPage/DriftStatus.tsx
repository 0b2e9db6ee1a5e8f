import { DriftEntry } from '@fleetdeck/plugin-deployments-common';
import { Box, Tooltip, Typography } from '@material-ui/core';
import { commits } from '../shared/format';

const DAY = 24 * 60 * 60_000;

/** Traffic-light colour of a service's drift. */
export function driftColor(entry: DriftEntry, now = Date.now()): string {
  switch (entry.status) {
    case 'current':
      return '#2e7d32';
    case 'diverged':
      return '#8e24aa';
    case 'behind': {
      const age = entry.oldestUndeployedAt
        ? now - Date.parse(entry.oldestUndeployedAt)
        : 0;
      return (entry.productionBehind ?? 0) > 10 || age > 14 * DAY
        ? '#d32f2f'
        : '#ed6c02';
    }
    default:
      return '#9e9e9e';
  }
}

/** What the colour means, in words. */
export function driftText(entry: DriftEntry, production: string): string {
  switch (entry.status) {
    case 'current':
      return `${production} is up to date`;
    case 'behind':
      return `${production} is ${commits(entry.productionBehind ?? 0)} behind ${
        entry.comparedWith
      }`;
    case 'diverged':
      return `${production} has diverged from ${
        entry.comparedWith ?? 'the other environments'
      }`;
    case 'not-deployed':
      return `not deployed to ${production}`;
    default:
      return entry.pending ? 'comparing…' : 'unknown';
  }
}

/** A coloured dot and the drift in words. */
export const DriftStatus = ({
  entry,
  production,
}: {
  entry: DriftEntry;
  production: string;
}) => (
  <Box display="flex" alignItems="center" style={{ gap: 8 }}>
    <Tooltip title={entry.status}>
      <Box
        component="span"
        width={12}
        height={12}
        borderRadius="50%"
        flexShrink={0}
        style={{ backgroundColor: driftColor(entry) }}
        data-testid="drift-dot"
        data-status={entry.status}
      />
    </Tooltip>
    <Typography variant="body2">{driftText(entry, production)}</Typography>
  </Box>
);
