import { Typography } from '@material-ui/core';
import Skeleton from '@material-ui/lab/Skeleton';
import type { FleetState } from '../FleetPage/fleetQuery';
import { BarList } from './BarList';
import { CERTIFICATE_BUCKETS, certificateBuckets } from './fleetMaintenance';
import { OverviewCard } from './MaintenanceCard';
import { useFleetMaintenance } from './useFleetMaintenance';

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
  if (maintenance.hidden) return null;
  const title = 'Expiring certificates';
  const label = 'Certificates expiring within 30 days';
  if (!maintenance.value) {
    return (
      <OverviewCard title={title} label={label}>
        {maintenance.error ? (
          <Typography variant="body2" color="error">
            Could not read the runbook runs: {maintenance.error.message}
          </Typography>
        ) : (
          <Skeleton variant="rect" height={120} />
        )}
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
  const buckets = certificateBuckets(maintenance.value);
  return (
    <OverviewCard title={title} label={label}>
      <Typography variant="body2" color="textSecondary">
        By the latest TLS check of {checked} clusters
      </Typography>
      <BarList
        label="Clusters by their first certificate to expire"
        max={Math.max(1, ...Object.values(buckets).map(r => r.length))}
        bars={CERTIFICATE_BUCKETS.map(b => ({
          key: b.key,
          label: b.label,
          count: buckets[b.key].length,
          color: b.color,
          ariaLabel:
            b.key === 'expired'
              ? `${buckets[b.key].length} clusters with an expired certificate`
              : `${
                  buckets[b.key].length
                } clusters with a certificate expiring in ${b.label}`,
          selected: state.certificates === b.key,
        }))}
        onClick={bar =>
          onChange({ certificates: bar.selected ? undefined : bar.key })
        }
      />
    </OverviewCard>
  );
};
