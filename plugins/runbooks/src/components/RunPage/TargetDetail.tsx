import { RunStreamEvent, TargetRun } from '@fleetdeck/plugin-runbooks-common';
import Box from '@material-ui/core/Box';
import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { formatDuration } from '../shared/format';
import { targetName } from '../shared/targetName';
import { StatusChip } from '../shared/StatusChip';
import { LogView } from './LogView';
import { useTargetLog } from './useTargetLog';

/** Steps and live log of the selected target. */
export function TargetDetail(props: {
  runId: string;
  target: TargetRun;
  onEvent(event: RunStreamEvent): void;
}) {
  const { runId, target, onEvent } = props;
  const { lines, live, error } = useTargetLog(runId, target.id, onEvent);
  return (
    <Box>
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Typography variant="h6">{targetName(target)}</Typography>
        <StatusChip status={target.status} />
      </Box>
      {target.decidedBy && (
        <Typography variant="body2" color="textSecondary">
          {target.status === 'rejected' ? 'Rejected' : 'Approved'} by{' '}
          {target.decidedBy}
          {target.decisionComment ? `: ${target.decisionComment}` : ''}
        </Typography>
      )}
      {target.error && (
        <Box my={1}>
          <Alert severity="error">{target.error}</Alert>
        </Box>
      )}
      <Stepper alternativeLabel aria-label="Steps">
        {target.steps.map(step => (
          <Step
            key={step.stepId}
            completed={step.status === 'succeeded'}
            active={step.status === 'running'}
          >
            <StepLabel error={step.status === 'failed'}>
              {step.name ?? step.stepId}
              <Typography variant="caption" display="block">
                {step.executor} · {step.status}
                {step.attempts > 1 ? ` · ${step.attempts} attempts` : ''} ·{' '}
                {formatDuration(step.startedAt, step.finishedAt)}
              </Typography>
            </StepLabel>
          </Step>
        ))}
      </Stepper>
      {error ? (
        <Alert severity="error">Could not load the log: {error.message}</Alert>
      ) : (
        <LogView lines={lines} live={live} />
      )}
    </Box>
  );
}
