import { ChecksState } from '@fleetdeck/plugin-changes-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import CancelIcon from '@material-ui/icons/Cancel';
import ScheduleIcon from '@material-ui/icons/Schedule';
import { checksStyles } from './status';

const icons = {
  passing: CheckCircleIcon,
  failing: CancelIcon,
  pending: ScheduleIcon,
};

/** The checks of a pull request: an icon in the checks' colour and a word. */
export function ChecksIndicator(props: { checks?: ChecksState }) {
  if (!props.checks) {
    return (
      <Typography variant="body2" color="textSecondary">
        —
      </Typography>
    );
  }
  const Icon = icons[props.checks];
  const style = checksStyles[props.checks];
  return (
    <Box
      display="flex"
      alignItems="center"
      style={{ gap: 4, color: style.color, whiteSpace: 'nowrap' }}
      data-testid="checks"
      data-checks={props.checks}
    >
      <Icon fontSize="small" />
      <Typography variant="body2" component="span">
        {props.checks}
      </Typography>
    </Box>
  );
}
