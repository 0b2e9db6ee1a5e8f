import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  RunSummary,
  scheduledRunbookRef,
} from '@fleetdeck/plugin-runbooks-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { formatDuration, formatTime } from '../shared/format';
import { GroupLinks } from '../shared/GroupLinks';
import { StatusChip } from '../shared/StatusChip';
import { ReturnLink } from './ReturnLink';

function formatValue(value: unknown) {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Runbook, requester, parameters (as the server masked them), state and progress. */
export function RunHeader(props: { run: RunSummary }) {
  const { run } = props;
  const { counts, total } = run;
  const done =
    counts.succeeded + counts.failed + counts.cancelled + counts.rejected;
  const params = Object.entries(run.parameters ?? {});
  return (
    <Box>
      <ReturnLink />
      <Box display="flex" alignItems="center" style={{ gap: 12 }} mb={1}>
        <StatusChip status={run.status} size="medium" />
        {run.dryRun && <StatusChipText text="Dry run" />}
        <Typography variant="body2">
          Runbook <EntityRefLink entityRef={run.runbookRef} /> ·{' '}
          {scheduledRunbookRef(run.requestedBy) ? (
            // a schedule acts for the runbook's owner; it is no catalog entity
            `started by its schedule${run.schedule ? ` (${run.schedule})` : ''}`
          ) : (
            <>
              requested by{' '}
              <EntityRefLink entityRef={run.requestedBy} defaultKind="user" />
            </>
          )}{' '}
          · {formatTime(run.createdAt)} ·{' '}
          {formatDuration(run.createdAt, run.finishedAt)}
          {run.schedule && !scheduledRunbookRef(run.requestedBy)
            ? ` · scheduled (${run.schedule})`
            : ''}
        </Typography>
      </Box>
      <Typography
        variant="subtitle1"
        aria-live="polite"
        data-testid="run-progress"
      >
        {done} of {total} done · {counts.succeeded} succeeded · {counts.failed}{' '}
        failed · {counts.running} running · {counts.awaiting_approval} waiting
        for approval
      </Typography>
      <LinearProgress
        variant="determinate"
        value={total ? (done / total) * 100 : 0}
        aria-label="Run progress"
        style={{ height: 8, borderRadius: 4, margin: '8px 0' }}
      />
      {params.length > 0 && (
        <Typography variant="body2" color="textSecondary">
          Parameters:{' '}
          {params.map(([k, v]) => `${k} = ${formatValue(v)}`).join(' · ')}
        </Typography>
      )}
      {run.definition && (
        <Typography
          variant="body2"
          color="textSecondary"
          title={`${run.definition.digest}${
            run.definition.source ? ` from ${run.definition.source}` : ''
          }`}
        >
          Pinned definition:{' '}
          {run.definition.commit
            ? `commit ${run.definition.commit.slice(0, 12)}${
                run.definition.commit.length > 40
                  ? run.definition.commit.slice(40)
                  : ''
              }`
            : run.definition.digest.slice(0, 19)}
          {run.definition.commit
            ? ` · ${run.definition.digest.slice(0, 19)}`
            : ''}
        </Typography>
      )}
      {/* The server names approver groups for any runbook with approvals;
          they matter while a target waits. */}
      {run.approvers &&
        run.approvers.length > 0 &&
        counts.awaiting_approval > 0 && (
          <Typography variant="body2" color="textSecondary">
            Approvers: <GroupLinks refs={run.approvers} />
          </Typography>
        )}
    </Box>
  );
}

function StatusChipText(props: { text: string }) {
  return (
    <Typography
      variant="caption"
      style={{ border: '1px solid', borderRadius: 12, padding: '2px 8px' }}
    >
      {props.text}
    </Typography>
  );
}
