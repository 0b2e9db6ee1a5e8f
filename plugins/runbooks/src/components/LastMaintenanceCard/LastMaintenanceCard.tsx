import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  ErrorPanel,
  InfoCard,
  Link,
  Progress,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { RunSummary } from '@fleetdeck/plugin-runbooks-common';
import {
  runbookRunRouteRef,
  runbooksApiRef,
} from '@fleetdeck/plugin-runbooks-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import useAsync from 'react-use/esm/useAsync';
import { formatTime } from '../shared/format';
import { StatusChip } from '../shared/StatusChip';

/** The latest real (not dry) run of each runbook on the entity. */
export function latestPerRunbook(runs: RunSummary[]) {
  const latest = new Map<string, RunSummary>();
  for (const run of runs) {
    if (run.dryRun) continue;
    const seen = latest.get(run.runbookRef);
    if (!seen || seen.createdAt < run.createdAt)
      latest.set(run.runbookRef, run);
  }
  return [...latest.values()].sort((a, b) =>
    a.runbookRef.localeCompare(b.runbookRef),
  );
}

/** Cluster overview card: the last maintenance per runbook, with status and date. */
export function LastMaintenanceCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(runbooksApiRef);
  const runRoute = useRouteRef(runbookRunRouteRef);
  const { value, loading, error } = useAsync(
    () => api.listRuns({ entityRef, limit: 100 }),
    [api, entityRef],
  );

  let body;
  if (loading) body = <Progress />;
  else if (error)
    body = <ErrorPanel error={error} title="Could not load runs" />;
  else {
    const rows = latestPerRunbook(value?.items ?? []);
    body = rows.length ? (
      <Table size="small" aria-label="Last maintenance">
        <TableHead>
          <TableRow>
            <TableCell>Runbook</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Date</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(run => (
            <TableRow key={run.runbookRef}>
              <TableCell>
                <Link to={runRoute({ id: run.id })}>
                  {run.runbookTitle ?? run.runbookRef}
                </Link>
              </TableCell>
              <TableCell>
                <StatusChip status={run.status} />
              </TableCell>
              <TableCell>
                {formatTime(run.finishedAt ?? run.createdAt)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    ) : (
      <EmptyState
        missing="data"
        title="No maintenance yet"
        description="No runbook has run on this entity (dry runs are not counted)."
      />
    );
  }
  return <InfoCard title="Last maintenance">{body}</InfoCard>;
}
