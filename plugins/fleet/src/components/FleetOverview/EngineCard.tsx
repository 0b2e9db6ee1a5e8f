import { Box, Button, Paper, Typography } from '@material-ui/core';
import { VersionPolicy } from '@fleetdeck/plugin-fleet-common';
import type { FleetState, PolicyFilter } from '../FleetPage/fleetQuery';
import { STATUS_COLORS, STATUS_LABELS } from '../VersionPolicy';
import { Bar, BarList } from './BarList';
import { EngineSummary } from './overviewModel';

/** Most versions a card lists; the rest are counted in a line below. */
const MAX_VERSIONS = 8;

function policyBars(
  s: EngineSummary,
  rule: NonNullable<VersionPolicy[keyof VersionPolicy]>,
  state: FleetState,
): Bar[] {
  const on = (p: PolicyFilter) =>
    state.filters.engine === s.engine && state.policy === p;
  return [
    {
      key: 'outdated',
      label: `Outdated (< ${rule.minimum})`,
      count: s.outdated,
      color: STATUS_COLORS.outdated,
      inner: { count: s.eol, color: STATUS_COLORS.eol },
      ariaLabel: `${s.outdated} outdated ${s.engine} clusters (below ${rule.minimum}), ${s.eol} of them end-of-life`,
      selected: on('outdated'),
    },
    {
      key: 'eol',
      label: `End-of-life (${rule.endOfLife.join(', ') || 'none'})`,
      count: s.eol,
      color: STATUS_COLORS.eol,
      ariaLabel: `${s.eol} end-of-life ${s.engine} clusters`,
      selected: on('eol'),
    },
    {
      key: 'current',
      label: `Current (≥ ${rule.minimum})`,
      count: s.current,
      color: STATUS_COLORS.current,
      ariaLabel: `${s.current} current ${s.engine} clusters`,
      selected: on('current'),
    },
  ];
}

/**
 * One engine at a glance: its standing against the policy, its versions in
 * use (coloured by standing), and the way from "outdated" to the patch run.
 */
export const EngineCard = (props: {
  summary: EngineSummary;
  policy: VersionPolicy;
  state: FleetState;
  onChange: (next: Partial<FleetState>) => void;
  onPatch?: () => void;
}) => {
  const { summary: s, policy, state, onChange, onPatch } = props;
  const rule = policy[s.engine as keyof VersionPolicy];
  const shown = s.versions.slice(0, MAX_VERSIONS);
  const versionBars: Bar[] = shown.map(v => ({
    key: v.value,
    label: v.value,
    count: v.count,
    color: STATUS_COLORS[v.status],
    ariaLabel: `${v.count} ${s.engine} clusters on ${v.value}${
      v.status === 'unknown' ? '' : `, ${STATUS_LABELS[v.status]}`
    }`,
    selected:
      state.filters.engine === s.engine && state.filters.version === v.value,
  }));
  const max = Math.max(1, ...s.versions.map(v => v.count));
  return (
    <Paper
      variant="outlined"
      style={{ padding: 12, height: '100%' }}
      aria-label={`${s.engine} versions`}
      role="region"
    >
      <Box display="flex" alignItems="baseline" style={{ gap: 8 }}>
        <Typography variant="h6" component="h3">
          {s.engine}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {s.total} clusters ·{' '}
          {rule ? (
            <b
              style={{
                color: STATUS_COLORS[s.outdated ? 'outdated' : 'current'],
              }}
            >
              {s.current} of {s.total} current
            </b>
          ) : (
            'no policy'
          )}
        </Typography>
      </Box>
      {rule && (
        <Box mt={1}>
          <BarList
            label={`${s.engine} clusters against the version policy`}
            bars={policyBars(s, rule, state)}
            max={s.total}
            onClick={bar =>
              onChange({
                filters: {
                  ...state.filters,
                  engine: s.engine,
                  version: undefined,
                },
                policy: bar.selected ? undefined : (bar.key as PolicyFilter),
              })
            }
          />
        </Box>
      )}
      <Typography variant="overline" color="textSecondary" component="div">
        Versions in use
      </Typography>
      <BarList
        label={`${s.engine} versions in use`}
        bars={versionBars}
        max={max}
        onClick={bar =>
          onChange({
            filters: {
              ...state.filters,
              engine: s.engine,
              version: bar.selected ? undefined : bar.key,
            },
            policy: undefined,
          })
        }
      />
      {s.versions.length > shown.length && (
        <Typography variant="caption" color="textSecondary">
          and {s.versions.length - shown.length} newer versions
        </Typography>
      )}
      {rule?.runbook && s.outdated > 0 && onPatch && (
        <Box mt={1}>
          <Button
            variant="contained"
            color="primary"
            size="small"
            onClick={onPatch}
          >
            Patch the {s.outdated} outdated clusters
          </Button>
          <Typography variant="caption" color="textSecondary" display="block">
            to {rule.target} with{' '}
            {rule.runbook.replace(/^runbook:default\//, '')}
          </Typography>
        </Box>
      )}
    </Paper>
  );
};
