import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { RunLogLine, RunStatus } from '@fleetdeck/plugin-runbooks-common';
import { errorMessage, runbooksApiRef } from '@fleetdeck/plugin-runbooks-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import useAsync from 'react-use/esm/useAsync';
import { formatTime } from '../shared/format';

const LIMIT = 100;

const severity = (lines: RunLogLine[]) => {
  if (lines.some(l => l.level === 'error')) return 'error';
  if (lines.some(l => l.level === 'warn')) return 'warning';
  return 'info';
};

/**
 * The run's own log lines, those of no target (say, the targets a schedule
 * left out), above the targets: the per-target log never shows them. The
 * server lists only these lines (`scope: 'run'`), however large the run.
 * Shows nothing when the run has none.
 */
export function RunLogPanel(props: { runId: string; status: RunStatus }) {
  const { runId, status } = props;
  const api = useApi(runbooksApiRef);
  // read again when the run changes state: it may have said more meanwhile
  const { value, error } = useAsync(
    () => api.listLogs(runId, { scope: 'run', limit: LIMIT }),
    [api, runId, status],
  );

  if (error) {
    // a server that cannot list only a run's own lines has none to show
    if (error instanceof ResponseError && error.statusCode === 501) return null;
    return (
      <Box my={1}>
        <Alert severity="warning">
          Could not load the run's own log lines: {errorMessage(error)}
        </Alert>
      </Box>
    );
  }
  // only lines of no target, even from a server that ignored the scope
  const lines = (value?.items ?? []).filter(l => !l.targetId);
  if (lines.length === 0) return null;
  return (
    <Box my={1} role="region" aria-label="Run log">
      <Alert severity={severity(lines)}>
        <AlertTitle>Run log</AlertTitle>
        {lines.map(line => (
          <Typography key={line.id} variant="body2">
            <Typography
              component="span"
              variant="caption"
              color="textSecondary"
            >
              {formatTime(line.createdAt)}
            </Typography>{' '}
            {line.message}
          </Typography>
        ))}
        {value?.items.length === LIMIT && (
          <Typography variant="caption" color="textSecondary">
            The first {LIMIT} lines.
          </Typography>
        )}
      </Alert>
    </Box>
  );
}
