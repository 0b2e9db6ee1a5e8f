import {
  RunStatus,
  StepStatus,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import Chip from '@material-ui/core/Chip';
import { useTheme } from '@material-ui/core/styles';

type Status = RunStatus | TargetStatus | StepStatus;

const labels: Record<Status, string> = {
  awaiting_approval: 'Awaiting approval',
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
  skipped: 'Skipped',
};

/** Human label of a run, target or step state. */
export function statusLabel(status: Status) {
  return labels[status] ?? status;
}

/** A coloured chip for a run, target or step state. */
export function StatusChip(props: {
  status: Status;
  size?: 'small' | 'medium';
}) {
  const theme = useTheme();
  const palette = theme.palette;
  const colors: Partial<Record<Status, string>> = {
    succeeded: palette.success?.main ?? '#2e7d32',
    failed: palette.error.main,
    rejected: palette.error.dark,
    running: palette.info?.main ?? '#1976d2',
    awaiting_approval: palette.warning?.main ?? '#ed6c02',
  };
  const color = colors[props.status];
  return (
    <Chip
      size={props.size ?? 'small'}
      label={statusLabel(props.status)}
      variant={color ? 'default' : 'outlined'}
      style={
        color
          ? {
              backgroundColor: color,
              color: theme.palette.getContrastText(color),
            }
          : undefined
      }
    />
  );
}
