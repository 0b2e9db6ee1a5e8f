import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogApiRef, useEntity } from '@backstage/plugin-catalog-react';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import {
  isBelowPolicy,
  KNOWN_ENVIRONMENTS,
  versionStatus,
} from '@fleetdeck/plugin-fleet-common';
import { STATUS_COLORS, useVersionPolicy } from '../VersionPolicy';
import useAsync from 'react-use/esm/useAsync';
import { fleetRouteRef } from '../../routes';

/** Clusters a team owns, counted per engine and environment, each count linking to the filtered Fleet page. */
export const ClustersOwnedCard = () => {
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const fleetPath = useRouteRef(fleetRouteRef)();
  const owner = stringifyEntityRef(entity);
  const { policy } = useVersionPolicy();
  const { value, loading, error } = useAsync(
    () =>
      catalogApi.getEntities({
        filter: { kind: 'cluster', 'relations.ownedBy': owner },
        fields: ['spec.engine', 'spec.environment', 'spec.version'],
      }),
    [catalogApi, owner],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;

  const counts = new Map<string, Map<string, number>>();
  const envSet = new Set<string>();
  const standing = { current: 0, outdated: 0, eol: 0, governed: 0 };
  for (const e of value?.items ?? []) {
    const engine = String(e.spec?.engine ?? 'other');
    const env = String(e.spec?.environment ?? 'unknown');
    const status = versionStatus(policy, engine, String(e.spec?.version ?? ''));
    if (status !== 'unknown') standing.governed++;
    if (status === 'current') standing.current++;
    if (isBelowPolicy(status)) standing.outdated++;
    if (status === 'eol') standing.eol++;
    envSet.add(env);
    const row = counts.get(engine) ?? new Map<string, number>();
    row.set(env, (row.get(env) ?? 0) + 1);
    counts.set(engine, row);
  }
  const known: string[] = [...KNOWN_ENVIRONMENTS];
  const envs = [...envSet].sort(
    (a, b) =>
      (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99) ||
      a.localeCompare(b),
  );
  const link = (filters: Record<string, string>) =>
    `${fleetPath}?${new URLSearchParams({ owner, ...filters })}`;
  const total = value?.items.length ?? 0;

  return (
    <InfoCard
      title="Clusters owned"
      variant="gridItem"
      deepLink={
        total ? { title: `All ${total} clusters`, link: link({}) } : undefined
      }
    >
      {total === 0 ? (
        <Typography color="textSecondary">
          This team owns no clusters.
        </Typography>
      ) : (
        <>
          {standing.governed > 0 && (
            <Typography
              variant="body1"
              data-testid="team-compliance"
              style={{ marginBottom: 8 }}
            >
              <b
                style={{
                  color:
                    STATUS_COLORS[standing.outdated ? 'outdated' : 'current'],
                }}
              >
                {standing.current} of {standing.governed} clusters current
              </b>
              {standing.outdated > 0 && (
                <>
                  {' · '}
                  <Link to={link({ policy: 'outdated' })}>
                    {standing.outdated} outdated
                  </Link>
                  {standing.eol > 0 && (
                    <>
                      {' ('}
                      <Link
                        to={link({ policy: 'eol' })}
                        style={{ color: STATUS_COLORS.eol }}
                      >
                        {standing.eol} end-of-life
                      </Link>
                      )
                    </>
                  )}
                </>
              )}
            </Typography>
          )}
          <Table size="small" aria-label="Clusters owned">
            <TableHead>
              <TableRow>
                <TableCell>Engine</TableCell>
                {envs.map(env => (
                  <TableCell key={env} align="right">
                    {env}
                  </TableCell>
                ))}
                <TableCell align="right">Total</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {[...counts.entries()]
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([engine, row]) => (
                  <TableRow key={engine}>
                    <TableCell component="th" scope="row">
                      {engine}
                    </TableCell>
                    {envs.map(env => (
                      <TableCell key={env} align="right">
                        {row.get(env) ? (
                          <Link
                            to={link({ engine, environment: env })}
                            aria-label={`${row.get(
                              env,
                            )} ${engine} clusters in ${env}`}
                          >
                            {row.get(env)}
                          </Link>
                        ) : (
                          '0'
                        )}
                      </TableCell>
                    ))}
                    <TableCell align="right">
                      <Link to={link({ engine })}>
                        {[...row.values()].reduce((a, b) => a + b, 0)}
                      </Link>
                    </TableCell>
                  </TableRow>
                ))}
            </TableBody>
          </Table>
        </>
      )}
    </InfoCard>
  );
};
