import { useState } from 'react';
import { Chip, Grid, Paper, Typography } from '@material-ui/core';
import Skeleton from '@material-ui/lab/Skeleton';
import type { FleetState } from '../FleetPage/fleetQuery';
import { BarList } from './BarList';
import {
  MAINTENANCE_BUCKETS,
  maintenanceBuckets,
  maintenanceTypes,
} from './fleetMaintenance';
import { useCountsInCatalog, useFleetMaintenance } from './useFleetMaintenance';

/** A card of the overview's grid, with its title. */
export const OverviewCard = (props: {
  title: string;
  label: string;
  children: React.ReactNode;
}) => (
  <Grid item xs={12} sm={6} lg={3}>
    <Paper
      variant="outlined"
      style={{ padding: 12, height: '100%' }}
      role="region"
      aria-label={props.label}
    >
      <Typography variant="h6" component="h3">
        {props.title}
      </Typography>
      {props.children}
    </Paper>
  </Grid>
);

/** An overview card's body until the runbook runs are read: a placeholder, or why they could not be. */
export const RunsPending = (props: { error?: Error }) =>
  props.error ? (
    <Typography variant="body2" color="error">
      Could not read the runbook runs: {props.error.message}
    </Typography>
  ) : (
    <Skeleton variant="rect" height={120} />
  );

/**
 * Per runbook type (patch, backup, ...), clusters by the days since a
 * runbook of that type last succeeded on them (dry runs do not count); a
 * click filters the table to a bar's clusters. Nothing without runbooks.
 */
export const MaintenanceCard = (props: {
  /** Clusters in the catalog: those without a success are "never". */
  total: number;
  state: FleetState;
  onChange: (next: Partial<FleetState>) => void;
  /** The clock, for tests. */
  now?: number;
}) => {
  const { total, state, onChange } = props;
  const maintenance = useFleetMaintenance();
  const [chosen, setChosen] = useState<string>();
  const data = maintenance.value;
  const types = data ? maintenanceTypes(data) : [];
  const filtered = state.maintenance?.type;
  const type =
    [filtered, chosen].find((t): t is string => !!t && types.includes(t)) ??
    types[0];
  // the bars count the clusters their filter shows: those in the catalog
  const inCatalog = useCountsInCatalog(type ?? '', data, d =>
    maintenanceBuckets(d, type ?? '', props.now ?? Date.now()),
  );
  if (maintenance.hidden) return null;
  const title = 'Days since maintenance';
  const label = 'Days since last successful maintenance';
  if (!data) {
    return (
      <OverviewCard title={title} label={label}>
        <RunsPending error={maintenance.error} />
      </OverviewCard>
    );
  }
  if (types.length === 0) {
    return (
      <OverviewCard title={title} label={label}>
        <Typography variant="body2" color="textSecondary">
          No runbook with a type (patch, backup, security, check) has succeeded
          on a cluster yet.
        </Typography>
      </OverviewCard>
    );
  }
  const counted = inCatalog.value;
  const succeeded = Object.values<number>(counted ?? {}).reduce(
    (n, c) => n + c,
    0,
  );
  const counts = {
    ...counted,
    // every other cluster in the catalog
    never: Math.max(0, total - succeeded),
  } as Record<string, number>;
  return (
    <OverviewCard title={title} label={label}>
      <div
        role="group"
        aria-label="Runbook type"
        style={{ display: 'flex', flexWrap: 'wrap', gap: 4, margin: '4px 0' }}
      >
        {types.map(t => (
          <Chip
            key={t}
            size="small"
            label={t}
            clickable
            color={t === type ? 'primary' : 'default'}
            aria-pressed={t === type}
            onClick={() => setChosen(t)}
          />
        ))}
      </div>
      {/* the chips stay while another type's bars are counted */}
      {counted ? (
        <BarList
          label={`Clusters by days since their last successful ${type} run`}
          max={Math.max(1, ...Object.values(counts))}
          bars={MAINTENANCE_BUCKETS.map(b => ({
            key: b.key,
            label: b.label,
            count: counts[b.key],
            color: b.color,
            ariaLabel:
              b.key === 'never'
                ? `${counts[b.key]} clusters never had a successful ${type} run`
                : `${counts[b.key]} clusters with a successful ${type} run ${
                    b.label
                  } ago`,
            selected:
              state.maintenance?.type === type &&
              state.maintenance.bucket === b.key,
          }))}
          onClick={bar =>
            onChange({
              maintenance: bar.selected ? undefined : { type, bucket: bar.key },
            })
          }
        />
      ) : null}
      {!counted && inCatalog.error && (
        <Typography variant="body2" color="error">
          Could not count the clusters in the catalog: {inCatalog.error.message}
        </Typography>
      )}
      {!counted && !inCatalog.error && <Skeleton variant="rect" height={100} />}
    </OverviewCard>
  );
};
