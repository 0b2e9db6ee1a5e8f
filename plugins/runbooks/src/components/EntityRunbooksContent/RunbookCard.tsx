import { Entity } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  entityMatchesFilter,
  runbooksRunPermission,
  RunbookSummary,
  scheduledRunbookRef,
} from '@fleetdeck/plugin-runbooks-common';
import {
  runbookRunRouteRef,
  runbooksApiRef,
} from '@fleetdeck/plugin-runbooks-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Card from '@material-ui/core/Card';
import CardActions from '@material-ui/core/CardActions';
import CardContent from '@material-ui/core/CardContent';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import { formatDuration, formatTime } from '../shared/format';
import { GroupLinks } from '../shared/GroupLinks';
import { StatusChip } from '../shared/StatusChip';

/** One runbook that applies to the entity: what it does, its last runs, Run. */
export function RunbookCard(props: {
  runbook: RunbookSummary;
  entity: Entity;
  entityRef: string;
  /** Why no runbook may act on this entity, if so. */
  untrustedTarget?: string;
  onRun(): void;
}) {
  const { runbook, entity, entityRef, untrustedTarget, onRun } = props;
  const notRunnable =
    runbook.trust?.trusted === false ? runbook.trust.reason : untrustedTarget;
  const api = useApi(runbooksApiRef);
  const runRoute = useRouteRef(runbookRunRouteRef);
  const { allowed } = usePermission({
    permission: runbooksRunPermission,
    resourceRef: entityRef,
  });
  const runs = useAsync(
    () => api.listRuns({ runbookRef: runbook.entityRef, entityRef, limit: 3 }),
    [api, runbook.entityRef, entityRef],
  );
  const needsApproval =
    runbook.approval && entityMatchesFilter(entity, runbook.approval.when);

  return (
    <Card variant="outlined" aria-label={runbook.title ?? runbook.name}>
      <CardContent>
        <Typography variant="h6">{runbook.title ?? runbook.name}</Typography>
        <Typography variant="body2" color="textSecondary" gutterBottom>
          Owner <EntityRefLink entityRef={runbook.owner} defaultKind="group" />{' '}
          · {runbook.steps.length}{' '}
          {runbook.steps.length === 1 ? 'step' : 'steps'} ·{' '}
          {runbook.concurrency} at a time
          {needsApproval && (
            <>
              {' '}
              · needs approval by{' '}
              <GroupLinks refs={runbook.approval!.approvers} />
            </>
          )}
        </Typography>
        {runbook.trust?.trusted === false && (
          <Alert severity="warning" style={{ marginBottom: 8 }}>
            {runbook.trust.reason ?? 'Not trusted'}
          </Alert>
        )}
        {runbook.description && (
          <Typography variant="body2" paragraph>
            {runbook.description}
          </Typography>
        )}
        <Typography variant="subtitle2">Last runs</Typography>
        {runs.loading && <Typography variant="body2">Loading…</Typography>}
        {runs.error && (
          <Typography variant="body2" color="error">
            Could not load runs: {runs.error.message}
          </Typography>
        )}
        {runs.value && runs.value.items.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            Never run on this entity.
          </Typography>
        )}
        {runs.value?.items.map(run => (
          <Box
            key={run.id}
            display="flex"
            alignItems="center"
            style={{ gap: 8 }}
            my={0.5}
          >
            <StatusChip status={run.status} />
            <Link to={runRoute({ id: run.id })}>
              {formatTime(run.createdAt)}
            </Link>
            <Typography variant="body2" color="textSecondary">
              {scheduledRunbookRef(run.requestedBy)
                ? 'schedule'
                : run.requestedBy.replace(/^user:(default\/)?/, '')}{' '}
              · {formatDuration(run.createdAt, run.finishedAt)}
              {run.dryRun ? ' · dry run' : ''}
            </Typography>
          </Box>
        ))}
      </CardContent>
      {allowed && !notRunnable && (
        <CardActions>
          <Button color="primary" variant="contained" onClick={onRun}>
            Run
          </Button>
        </CardActions>
      )}
    </Card>
  );
}
