import { Chip, Grid, Typography } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import Skeleton from '@material-ui/lab/Skeleton';
import { ResponseErrorPanel } from '@backstage/core-components';
import type { FleetState } from '../FleetPage/fleetQuery';
import { STATUS_LABELS, useVersionPolicy } from '../VersionPolicy';
import { EngineCard } from './EngineCard';
import { CertificatesCard } from './CertificatesCard';
import { EnvironmentCard } from './EnvironmentCard';
import { MaintenanceCard } from './MaintenanceCard';
import { useFleetOverview } from './useFleetOverview';
import { usePatchOutdated } from './usePatchOutdated';

/**
 * Above the Fleet table: per engine the versions in use against the version
 * policy, and clusters per environment. Every bar filters the table; an
 * engine with outdated clusters and a patch runbook offers to patch them.
 */
export const FleetOverview = (props: {
  state: FleetState;
  onChange: (next: Partial<FleetState>) => void;
  /** Replaces the table's selection, e.g. with the outdated clusters. */
  onSelect: (refs: string[]) => void;
}) => {
  const { state, onChange, onSelect } = props;
  const { policy, error: policyError } = useVersionPolicy();
  const overview = useFleetOverview(policy);
  const patching = usePatchOutdated({ policy, onSelect, onChange });

  if (overview.error) return <ResponseErrorPanel error={overview.error} />;
  return (
    <section aria-label="Fleet overview" style={{ marginBottom: 16 }}>
      {policyError && (
        <Alert severity="error" style={{ marginBottom: 8 }}>
          {policyError.message}
        </Alert>
      )}
      {patching.error && (
        <Alert severity="error" style={{ marginBottom: 8 }}>
          Could not select the outdated clusters: {patching.error.message}
        </Alert>
      )}
      {overview.value ? (
        <Grid container spacing={2} data-testid="fleet-overview">
          {overview.value.engines.map(s => (
            <Grid item xs={12} sm={6} lg={3} key={s.engine}>
              <EngineCard
                summary={s}
                policy={policy}
                state={state}
                onChange={onChange}
                onPatch={() => patching.patch(s.engine)}
              />
            </Grid>
          ))}
          <Grid item xs={12} sm={6} lg={3}>
            <EnvironmentCard
              environments={overview.value.environments}
              state={state}
              onChange={onChange}
            />
          </Grid>
          <MaintenanceCard
            total={overview.value.total}
            state={state}
            onChange={onChange}
          />
          <CertificatesCard state={state} onChange={onChange} />
        </Grid>
      ) : (
        <Skeleton variant="rect" height={180} aria-label="Loading overview" />
      )}
      {state.policy && (
        <Chip
          style={{ marginTop: 8 }}
          color="primary"
          label={`Version policy: ${STATUS_LABELS[state.policy]}${
            state.policy === 'outdated' ? ' (end-of-life included)' : ''
          }${state.filters.engine ? ` ${state.filters.engine}` : ''} clusters`}
          onDelete={() => onChange({ policy: undefined })}
        />
      )}
      {overview.value?.total === 0 && (
        <Typography color="textSecondary">No clusters yet.</Typography>
      )}
      {patching.dialog}
    </section>
  );
};
