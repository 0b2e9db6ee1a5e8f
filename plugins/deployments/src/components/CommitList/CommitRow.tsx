import { Link } from '@backstage/core-components';
import { DiffCommit } from '@fleetdeck/plugin-deployments-common';
import {
  Box,
  Button,
  Chip,
  TableCell,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Fragment, useState } from 'react';
import { shortSha, timeAgo } from '../shared/format';
import { ReferenceLinks } from '../shared/ReferenceLinks';
import { FileList } from './FileList';

/** One commit: SHA, subject with PR and ticket links, author, date, files changed. */
export const CommitRow = ({ commit }: { commit: DiffCommit }) => {
  const [open, setOpen] = useState(false);
  const files = commit.files ?? [];
  const added = files.reduce((n, f) => n + (f.additions ?? 0), 0);
  const deleted = files.reduce((n, f) => n + (f.deletions ?? 0), 0);
  return (
    <Fragment>
      <TableRow data-testid="commit-row">
        <TableCell style={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>
          {commit.url ? (
            <Link to={commit.url}>{shortSha(commit.sha)}</Link>
          ) : (
            shortSha(commit.sha)
          )}
        </TableCell>
        <TableCell>
          {commit.isMerge && (
            <Chip size="small" label="merge" style={{ marginRight: 4 }} />
          )}
          <Typography variant="body2" component="span">
            {commit.subject}
          </Typography>
          <ReferenceLinks references={commit.references} />
        </TableCell>
        <TableCell style={{ whiteSpace: 'nowrap' }}>
          {commit.authorName}
        </TableCell>
        <TableCell style={{ whiteSpace: 'nowrap' }} title={commit.authoredAt}>
          {timeAgo(commit.authoredAt)}
        </TableCell>
        <TableCell style={{ whiteSpace: 'nowrap' }}>
          {commit.isMerge || files.length === 0 ? (
            <Typography variant="caption" color="textSecondary">
              {commit.isMerge ? 'merge' : 'no files'}
            </Typography>
          ) : (
            <Button
              size="small"
              onClick={() => setOpen(!open)}
              aria-expanded={open}
            >
              {files.length} file{files.length === 1 ? '' : 's'}{' '}
              <Box component="span" color="success.main" ml={0.5}>
                +{added}
              </Box>
              <Box component="span" color="error.main" ml={0.5}>
                −{deleted}
              </Box>
            </Button>
          )}
        </TableCell>
      </TableRow>
      {open && (
        <TableRow>
          <TableCell colSpan={5} style={{ paddingTop: 0 }}>
            <FileList files={files} />
          </TableCell>
        </TableRow>
      )}
    </Fragment>
  );
};
