import { Paper, Typography } from '@material-ui/core';
import { KNOWN_ENVIRONMENTS } from '@fleetdeck/plugin-fleet-common';
import type { FleetState } from '../FleetPage/fleetQuery';
import type { FacetCount } from '../VersionPolicy';
import { BarList } from './BarList';

const known: string[] = [...KNOWN_ENVIRONMENTS];
const ENV_COLORS: Record<string, string> = {
  dev: '#64b5f6',
  staging: '#1e88e5',
  production: '#0d47a1',
};

/** Clusters per environment; a click filters the table to one. */
export const EnvironmentCard = (props: {
  environments: FacetCount[];
  state: FleetState;
  onChange: (next: Partial<FleetState>) => void;
}) => {
  const { environments, state, onChange } = props;
  const sorted = [...environments].sort(
    (a, b) =>
      (known.indexOf(a.value) + 1 || 99) - (known.indexOf(b.value) + 1 || 99) ||
      a.value.localeCompare(b.value),
  );
  return (
    <Paper
      variant="outlined"
      style={{ padding: 12, height: '100%' }}
      role="region"
      aria-label="Clusters per environment"
    >
      <Typography variant="h6" component="h3">
        Environments
      </Typography>
      <BarList
        label="Clusters per environment"
        max={Math.max(1, ...sorted.map(e => e.count))}
        bars={sorted.map(e => ({
          key: e.value,
          label: e.value,
          count: e.count,
          color: ENV_COLORS[e.value] ?? '#5c6bc0',
          ariaLabel: `${e.count} clusters in ${e.value}`,
          selected: state.filters.environment === e.value,
        }))}
        onClick={bar =>
          onChange({
            filters: {
              ...state.filters,
              environment: bar.selected ? undefined : bar.key,
            },
          })
        }
      />
    </Paper>
  );
};
