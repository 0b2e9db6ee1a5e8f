import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  catalogApiRef,
  EntityRefLink,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { toEntityRef } from '@fleetdeck/plugin-fleet-common';
import useAsync from 'react-use/esm/useAsync';
import { dependencyClusterRefs } from '../../filters';

/** The clusters a service depends on, with engine, version, environment and owner. */
export const DependencyClustersCard = () => {
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const refs = dependencyClusterRefs(entity);
  const { value, loading, error } = useAsync(
    () =>
      catalogApi.getEntitiesByRefs({
        entityRefs: refs,
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec'],
      }),
    [catalogApi, refs.join(',')],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  return (
    <InfoCard
      title="Clusters"
      subheader="Clusters this service depends on"
      variant="gridItem"
    >
      <Table size="small" aria-label="Clusters this service depends on">
        <TableHead>
          <TableRow>
            <TableCell>Cluster</TableCell>
            <TableCell>Engine</TableCell>
            <TableCell>Version</TableCell>
            <TableCell>Environment</TableCell>
            <TableCell>Owner</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {refs.map((ref, i) => {
            const cluster = value?.items[i];
            if (!cluster) {
              return (
                <TableRow key={ref}>
                  <TableCell>{ref}</TableCell>
                  <TableCell colSpan={4}>
                    <Typography variant="body2" color="textSecondary">
                      not in the catalog
                    </Typography>
                  </TableCell>
                </TableRow>
              );
            }
            return (
              <TableRow key={ref}>
                <TableCell>
                  <EntityRefLink entityRef={cluster} defaultKind="cluster" />
                </TableCell>
                <TableCell>{String(cluster.spec?.engine ?? '')}</TableCell>
                <TableCell>{String(cluster.spec?.version ?? '')}</TableCell>
                <TableCell>{String(cluster.spec?.environment ?? '')}</TableCell>
                <TableCell>
                  {cluster.spec?.owner ? (
                    <EntityRefLink
                      entityRef={toEntityRef(String(cluster.spec.owner), {
                        defaultKind: 'group',
                      })}
                    />
                  ) : null}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </InfoCard>
  );
};
