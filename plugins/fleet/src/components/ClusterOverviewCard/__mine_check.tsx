import { InfoCard } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import {
  Chip,
  Grid,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import {
  formatMaintenanceWindow,
  isClusterEntity,
  toEntityRef,
} from '@fleetdeck/plugin-fleet-common';
import { ReactNode } from 'react';

const Field = (props: { label: string; children: ReactNode; xs?: 6 | 12 }) => (
  <Grid item xs={props.xs ?? 6}>
    <Typography variant="overline" color="textSecondary" component="div">
      {props.label}
    </Typography>
    <div>{props.children}</div>
  </Grid>
);

/** Engine, version, environment, owner, nodes, endpoints and maintenance window of a Cluster. */
export const ClusterOverviewCard = () => {
  const { entity } = useEntity();
  if (!isClusterEntity(entity)) return null;
  const spec = entity.spec;
  return (
    <InfoCard title="Cluster overview" variant="gridItem">
      <Grid container spacing={2}>
        <Field label="Engine">
          <Chip size="small" label={spec.engine} />
        </Field>
        <Field label="Version">{spec.version}</Field>
        <Field label="Environment">{spec.environment}</Field>
        <Field label="Region">{spec.region ?? '—'}</Field>
        <Field label="Owner">
          <EntityRefLink entityRef={toEntityRef(spec.owner, { defaultKind: 'group' })} />
        </Field>
        <Field label="System">
          {spec.system ? (
            <EntityRefLink
              entityRef={toEntityRef(spec.system, { defaultKind: 'system' })}
            />
          ) : (
            '—'
          )}
        </Field>
        <Field label="Maintenance window" xs={12}>
          {formatMaintenanceWindow(spec.maintenanceWindow)}
        </Field>
        <Field label={`Nodes (${spec.nodes.length})`}>
          <List dense disablePadding aria-label="Nodes">
            {spec.nodes.map(n => (
              <ListItem key={n} disableGutters>
                <ListItemText
                  primary={<code style={{ wordBreak: 'break-all' }}>{n}</code>}
                />
              </ListItem>
            ))}
          </List>
        </Field>
        <Field label="Endpoints">
          <List dense disablePadding aria-label="Endpoints">
            {spec.endpoints.map(e => (
              <ListItem key={`${e.name}-${e.url}`} disableGutters>
                <ListItemText
                  primary={e.name}
                  secondary={
                    <code style={{ wordBreak: 'break-all' }}>{e.url}</code>
                  }
                />
              </ListItem>
            ))}
          </List>
        </Field>
      </Grid>
    </InfoCard>
  );
};
