import { Typography } from '@material-ui/core';
import Skeleton from '@material-ui/lab/Skeleton';
import type { FleetState } from '../FleetPage/fleetQuery';
import { BarList } from './BarList';
import { CERTIFICATE_BUCKETS, certificateBuckets } from './fleetMaintenance';
import { OverviewCard, RunsPending } from './MaintenanceCard';
import { useCountsInCatalog, useFleetMaintenance } from './useFleetMaintenance';

/**
 * Clusters whose latest TLS check (a runbook with a `tls` step, passed or
 * failed) found a certificate expiring within 30 days, by how soon; a click
 * filters the table to a bar's clusters. Nothing without runbooks.
 */
export const CertificatesCard = (props: {
  state: FleetState;
  onChange: (next: Partial<FleetState>) => void;
}) => {
  const { state, onChange } = props;
  const maintenance = useFleetMaintenance();
  // the bars count the clusters their filter shows: those in the catalog
  const inCatalog = useCountsInCatalog(
    'certificates',
    maintenance.value,
    certificateBuckets,
  );
  if (maintenance.hidden) return null;
  const title = 'Expiring certificates';
  const label = 'Certificates expiring within 30 days';
  if (!maintenance.value) {
    return (
      <OverviewCard title={title} label={label}>
        <RunsPending error={maintenance.error} />
      </OverviewCard>
    );
  }
  const checked = Object.keys(maintenance.value.certificates).length;
  if (checked === 0) {
    return (
      <OverviewCard title={title} label={label}>
        <Typography variant="body2" color="textSecondary">
          No cluster has had a TLS check yet (a runbook with a tls step).
        </Typography>
      </OverviewCard>
    );
  }
  const counts = inCatalog.value;
  return (
    <OverviewCard title={title} label={label}>
      <Typography variant="body2" color="textSecondary">
        By the latest TLS check of {checked} clusters
      </Typography>
      {counts && (
        <BarList
          label="Clusters by their first certificate to expire"
          max={Math.max(1, ...Object.values<number>(counts))}
          bars={CERTIFICATE_BUCKETS.map(b => ({
            key: b.key,
            label: b.label,
            count: counts[b.key],
            color: b.color,
            ariaLabel:
              b.key === 'expired'
                ? `${counts[b.key]} clusters with an expired certificate`
                : `${counts[b.key]} clusters with a certificate expiring in ${
                    b.label
                  }`,
            selected: state.certificates === b.key,
          }))}
          onClick={bar =>
            onChange({ certificates: bar.selected ? undefined : bar.key })
          }
        />
      )}
      {!counts && inCatalog.error && (
        <Typography variant="body2" color="error">
          Could not count the clusters in the catalog: {inCatalog.error.message}
        </Typography>
      )}
      {!counts && !inCatalog.error && <Skeleton variant="rect" height={80} />}
    </OverviewCard>
  );
};
