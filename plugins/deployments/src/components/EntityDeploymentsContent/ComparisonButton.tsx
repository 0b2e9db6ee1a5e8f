import { EnvironmentComparison } from '@fleetdeck/plugin-deployments-common';
import { Box, Button, Tooltip, Typography } from '@material-ui/core';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { commits } from '../shared/format';

/** What a comparison says in one line, e.g. "3 commits ahead of production". */
export function comparisonLabel(c: EnvironmentComparison): string {
  const s = c.summary;
  if (!s) return c.problem ? 'no diff available' : 'comparing…';
  switch (s.status) {
    case 'identical':
      return `same commit as ${c.base}`;
    case 'ahead':
      return `${commits(s.ahead)} ahead of ${c.base}`;
    case 'behind':
      return `${commits(s.behind)} behind ${c.base} (rollback)`;
    default:
      return `diverged from ${c.base}: ${s.ahead} ahead, ${s.behind} behind`;
  }
}

/** The link between two environment columns; expands the commit list. */
export const ComparisonButton = (props: {
  comparison: EnvironmentComparison;
  open: boolean;
  onToggle: () => void;
}) => {
  const { comparison, open, onToggle } = props;
  const s = comparison.summary;
  const label = comparisonLabel(comparison);
  const expandable = !!s && s.status !== 'identical';
  return (
    <Box
      display="flex"
      flexDirection="column"
      justifyContent="center"
      alignItems="center"
      px={1}
      minWidth={160}
    >
      <Typography variant="caption" color="textSecondary">
        {comparison.head} →
      </Typography>
      {expandable ? (
        <Button
          variant={open ? 'contained' : 'outlined'}
          color={s!.status === 'ahead' ? 'primary' : 'secondary'}
          size="small"
          onClick={onToggle}
          aria-expanded={open}
          endIcon={open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
          data-testid={`compare-${comparison.head}-${comparison.base}`}
        >
          {label}
        </Button>
      ) : (
        <Tooltip title={comparison.problem ?? ''}>
          <Typography
            variant="body2"
            data-testid={`compare-${comparison.head}-${comparison.base}`}
          >
            {label}
          </Typography>
        </Tooltip>
      )}
    </Box>
  );
};
