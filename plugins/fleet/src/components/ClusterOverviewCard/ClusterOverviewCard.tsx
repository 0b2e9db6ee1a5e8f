import { CopyTextButton, InfoCard } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { Chip, Grid, Typography } from '@material-ui/core';
import {
  formatMaintenanceWindow,
  isClusterEntity,
  toEntityRef,
} from '@fleetdeck/plugin-fleet-common';
import { ReactNode } from 'react';
import {
  describeStatus,
  useVersionPolicy,
  VersionChip,
} from '../VersionPolicy';

// Host names and URLs wrap wherever they must instead of being cut off (the
// theme gives list items nowrap and an ellipsis), and each can be copied.
const hostStyle = {
  whiteSpace: 'normal',
  overflowWrap: 'anywhere',
  wordBreak: 'normal',
} as const;

const HostList = (props: {
  label: string;
  items: { key: string; name?: string; text: string }[];
}) => (
  <ul
    aria-label={props.label}
    style={{ listStyle: 'none', margin: 0, padding: 0 }}
  >
    {props.items.map(i => (
      <li
        key={i.key}
        style={{ display: 'flex', alignItems: 'center', gap: 4, minWidth: 0 }}
      >
        <span style={{ minWidth: 0 }}>
          {i.name && (
            <Typography variant="body2" component="span">
              {i.name}:{' '}
            </Typography>
          )}
          <code style={hostStyle}>{i.text}</code>
        </span>
        <CopyTextButton text={i.text} tooltipText={`Copied ${i.text}`} />
      </li>
    ))}
  </ul>
);

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
  const { policy } = useVersionPolicy();
  if (!isClusterEntity(entity)) return null;
  const spec = entity.spec;
  return (
    <InfoCard title="Cluster overview" variant="gridItem">
      <Grid container spacing={2}>
        <Field label="Engine">
          <Chip size="small" label={spec.engine} />
        </Field>
        <Field label="Version">
          <VersionChip
            policy={policy}
            engine={spec.engine}
            version={spec.version}
          />
          <Typography variant="caption" color="textSecondary" component="div">
            {describeStatus(policy, spec.engine, spec.version)}
          </Typography>
        </Field>
        <Field label="Environment">{spec.environment}</Field>
        <Field label="Region">{spec.region ?? '—'}</Field>
        <Field label="Owner">
          <EntityRefLink
            entityRef={toEntityRef(spec.owner, { defaultKind: 'group' })}
          />
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
        <Field label={`Nodes (${spec.nodes.length})`} xs={12}>
          <HostList
            label="Nodes"
            items={spec.nodes.map(n => ({ key: n, text: n }))}
          />
        </Field>
        <Field label="Endpoints" xs={12}>
          <HostList
            label="Endpoints"
            items={spec.endpoints.map(e => ({
              key: `${e.name}-${e.url}`,
              name: e.name,
              text: e.url,
            }))}
          />
        </Field>
      </Grid>
    </InfoCard>
  );
};
