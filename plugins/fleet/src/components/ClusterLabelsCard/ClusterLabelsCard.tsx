import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';

const wrap = { overflowWrap: 'anywhere', wordBreak: 'normal' } as const;

/**
 * A Cluster's labels with whole keys: `fleetdeck.io/environment` and the like
 * are longer than the stock Labels card's key column, which cut them off.
 */
export const ClusterLabelsCard = () => {
  const { entity } = useEntity();
  const labels = Object.entries(entity.metadata.labels ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  return (
    <InfoCard title="Labels" variant="gridItem">
      {labels.length === 0 ? (
        <Typography color="textSecondary">No labels.</Typography>
      ) : (
        <Table size="small" aria-label="Labels">
          <TableHead>
            <TableRow>
              <TableCell>Label</TableCell>
              <TableCell>Value</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {labels.map(([key, value]) => (
              <TableRow key={key}>
                <TableCell component="th" scope="row" style={wrap}>
                  <code>{key}</code>
                </TableCell>
                <TableCell style={wrap}>{value}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
};
