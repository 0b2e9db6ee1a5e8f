import { Entity } from '@backstage/catalog-model';
import {
  entityMatchesFilter,
  RunbookSummary,
} from '@fleetdeck/plugin-runbooks-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';

function entityName(entity: Entity) {
  return entity.metadata.title ?? entity.metadata.name;
}

/** What a run will do: targets, concurrency, steps, and which targets wait for approval. @public */
export function RunPlanSummary(props: {
  runbook: RunbookSummary;
  targets: Entity[];
  dryRun: boolean;
}) {
  const { runbook, targets, dryRun } = props;
  const approval = runbook.approval;
  const needApproval = approval
    ? targets.filter(t => entityMatchesFilter(t, approval.when))
    : [];
  const atOnce = Math.min(runbook.concurrency, targets.length);
  return (
    <Box data-testid="run-plan-summary">
      <Typography variant="subtitle2" gutterBottom>
        Summary
      </Typography>
      <Typography variant="body2">
        {dryRun ? 'Dry run' : 'Run'} of <b>{runbook.title ?? runbook.name}</b>{' '}
        on {targets.length} {targets.length === 1 ? 'target' : 'targets'},{' '}
        {atOnce} at a time.
      </Typography>
      <Typography variant="body2">
        Steps: {runbook.steps.map(s => s.name ?? s.id).join(' → ')}
      </Typography>
      {dryRun && (
        <Typography variant="body2">
          Executors only report what would change (Ansible check mode); nothing
          is modified.
        </Typography>
      )}
      {needApproval.length > 0 && (
        <Box mt={1}>
          <Alert severity="info">
            {needApproval.length} of {targets.length} targets need approval by{' '}
            {approval!.approvers.join(', ')} before they run:{' '}
            {needApproval.map(entityName).join(', ')}
          </Alert>
        </Box>
      )}
      <Typography variant="caption" color="textSecondary" component="p">
        Targets:{' '}
        {targets.length > 8
          ? `${targets.slice(0, 8).map(entityName).join(', ')} and ${
              targets.length - 8
            } more`
          : targets.map(entityName).join(', ')}
      </Typography>
    </Box>
  );
}
