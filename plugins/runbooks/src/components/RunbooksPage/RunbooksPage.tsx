import {
  Content,
  EmptyState,
  ErrorPanel,
  InfoCard,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { nextCronRunAt } from '@fleetdeck/plugin-runbooks-common';
import { runbooksApiRef } from '@fleetdeck/plugin-runbooks-react';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import useAsync from 'react-use/esm/useAsync';
import { formatTime } from '../shared/format';
import { RunsTable } from './RunsTable';

function describeFilter(filter: Record<string, string | string[]>) {
  return Object.entries(filter)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' | ') : v}`)
    .join(', ');
}

/** The Runbooks page: all runbooks, recent runs, scheduled runbooks. */
export function RunbooksPage() {
  const api = useApi(runbooksApiRef);
  const { value, loading, error } = useAsync(() => api.listRunbooks(), [api]);
  if (loading) return <Progress />;
  if (error) {
    return (
      <Content>
        <ErrorPanel error={error} title="Could not load runbooks" />
      </Content>
    );
  }
  const runbooks = value?.items ?? [];
  const scheduled = runbooks.filter(r => r.schedule);
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12} lg={7}>
          <InfoCard title="Runbooks">
            {runbooks.length === 0 ? (
              <EmptyState
                missing="content"
                title="No runbooks yet"
                description="Register a Runbook entity (fleetdeck.io/v1alpha1) in the catalog."
              />
            ) : (
              <Table size="small" aria-label="Runbooks">
                <TableHead>
                  <TableRow>
                    <TableCell>Runbook</TableCell>
                    <TableCell>Owner</TableCell>
                    <TableCell>Targets</TableCell>
                    <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                      Steps
                    </TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {runbooks.map(r => (
                    <TableRow key={r.entityRef}>
                      <TableCell>
                        <EntityRefLink
                          entityRef={r.entityRef}
                          title={r.title ?? r.name}
                        />
                      </TableCell>
                      <TableCell>
                        <EntityRefLink
                          entityRef={r.owner}
                          defaultKind="group"
                        />
                      </TableCell>
                      <TableCell>{describeFilter(r.targets)}</TableCell>
                      <TableCell align="right">{r.steps.length}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12} lg={5}>
          <InfoCard title="Scheduled">
            {scheduled.length === 0 ? (
              <EmptyState
                missing="data"
                title="No scheduled runbooks"
                description="A runbook with spec.schedule runs on its cron."
              />
            ) : (
              <Table size="small" aria-label="Scheduled runbooks">
                <TableHead>
                  <TableRow>
                    <TableCell>Runbook</TableCell>
                    <TableCell>Cron (UTC)</TableCell>
                    <TableCell>Next run</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {scheduled.map(r => (
                    <TableRow key={r.entityRef}>
                      <TableCell>
                        <EntityRefLink
                          entityRef={r.entityRef}
                          title={r.title ?? r.name}
                        />
                      </TableCell>
                      <TableCell>
                        <code>{r.schedule!.cron}</code>
                        {r.schedule!.dryRun ? ' (dry run)' : ''}
                      </TableCell>
                      <TableCell>
                        {formatTime(
                          r.schedule!.nextRunAt ??
                            nextCronRunAt(r.schedule!.cron),
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <InfoCard title="Recent runs">
            <RunsTable runbooks={runbooks} />
          </InfoCard>
        </Grid>
      </Grid>
    </Content>
  );
}
