import {
  ChangeRepositoryState,
  ChangeState,
} from '@fleetdeck/plugin-changes-common';
import Chip from '@material-ui/core/Chip';
import { useTheme } from '@material-ui/core/styles';
import { changeStateStyles, repositoryStateStyles } from './status';

/** A chip in the state's colour, for a change or one of its repositories. */
export function StateChip(
  props:
    | { kind: 'change'; state: ChangeState; size?: 'small' | 'medium' }
    | {
        kind: 'repository';
        state: ChangeRepositoryState;
        size?: 'small' | 'medium';
      },
) {
  const theme = useTheme();
  const style =
    props.kind === 'change'
      ? changeStateStyles[props.state]
      : repositoryStateStyles[props.state];
  const label = style?.label ?? props.state;
  const color = style?.color ?? theme.palette.grey[400];
  return (
    <Chip
      size={props.size ?? 'small'}
      label={label}
      data-testid="state-chip"
      data-state={props.state}
      style={{
        backgroundColor: color,
        color: theme.palette.getContrastText(color),
        fontWeight: 500,
      }}
    />
  );
}
