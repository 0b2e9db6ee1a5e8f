import { MarkdownContent } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { ChangeDetail } from '@fleetdeck/plugin-changes-common';
import Box from '@material-ui/core/Box';
import CircularProgress from '@material-ui/core/CircularProgress';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { CountsBar } from '../shared/CountsBar';
import { timeAgo } from '../shared/format';
import { StateChip } from '../shared/StateChip';
import { isSettling } from '../shared/status';

/** A change's title, state and who made it, then its counts as a picture, then why. */
export function ChangeHeader(props: { change: ChangeDetail }) {
  const { change } = props;
  return (
    <Box mb={2}>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 12 }}
      >
        <Typography variant="h4" component="h1">
          {change.title}
        </Typography>
        <StateChip kind="change" state={change.state} size="medium" />
        {isSettling(change.state) && (
          <Box display="flex" alignItems="center" style={{ gap: 6 }}>
            <CircularProgress size={14} />
            <Typography variant="caption" color="textSecondary">
              updating live
            </Typography>
          </Box>
        )}
      </Box>
      <Typography variant="body2" color="textSecondary" gutterBottom>
        Created by{' '}
        <EntityRefLink entityRef={change.createdBy} defaultKind="user" />{' '}
        <span title={change.createdAt}>{timeAgo(change.createdAt)}</span> ·
        branch <code>{change.branch}</code> · {change.concurrency} at a time
      </Typography>
      <Paper variant="outlined">
        <Box p={2}>
          <CountsBar counts={change.counts} total={change.total} legend />
        </Box>
      </Paper>
      {change.description && (
        <Box mt={2}>
          <MarkdownContent content={change.description} />
        </Box>
      )}
    </Box>
  );
}
