import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ChangedFile, DiffCommit } from '@fleetdeck/plugin-deployments-common';
import {
  Box,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { useCallback, useEffect, useState } from 'react';
import { deploymentsApiRef } from '../../api/DeploymentsApi';
import { FileList } from './FileList';
import { CommitRow } from './CommitRow';

const PAGE = 50;

/** The commits between two SHAs (paged), and the files changed over the range. */
export const CommitList = (props: {
  entityRef: string;
  base: string;
  head: string;
  side?: 'ahead' | 'behind';
}) => {
  const { entityRef, base, head, side = 'ahead' } = props;
  const api = useApi(deploymentsApiRef);
  const [commits, setCommits] = useState<DiffCommit[]>([]);
  const [total, setTotal] = useState<number>();
  const [compareUrl, setCompareUrl] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error>();
  const [files, setFiles] = useState<ChangedFile[]>();

  const load = useCallback(
    async (offset: number) => {
      setLoading(true);
      try {
        const page = await api.getDiff({
          entityRef,
          base,
          head,
          side,
          offset,
          limit: PAGE,
        });
        setCommits(prev =>
          offset === 0 ? page.commits : [...prev, ...page.commits],
        );
        setTotal(page.total);
        setCompareUrl(page.compareUrl);
      } catch (e) {
        setError(e as Error);
      } finally {
        setLoading(false);
      }
    },
    [api, entityRef, base, head, side],
  );

  useEffect(() => {
    setCommits([]);
    setFiles(undefined);
    load(0);
  }, [load]);

  if (error) return <ResponseErrorPanel error={error} />;
  if (total === undefined) return <Progress />;

  return (
    <Box data-testid="commit-list">
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Commit</TableCell>
            <TableCell>Message</TableCell>
            <TableCell>Author</TableCell>
            <TableCell>Date</TableCell>
            <TableCell>Files</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {commits.map(c => (
            <CommitRow key={c.sha} commit={c} />
          ))}
        </TableBody>
      </Table>
      <Box display="flex" alignItems="center" mt={1} style={{ gap: 8 }}>
        <Typography variant="caption" color="textSecondary">
          Showing {commits.length} of {total}
        </Typography>
        {commits.length < total && (
          <Button
            size="small"
            disabled={loading}
            onClick={() => load(commits.length)}
          >
            Load {Math.min(PAGE, total - commits.length)} more
          </Button>
        )}
        {side === 'ahead' && !files && (
          <Button
            size="small"
            onClick={() =>
              api
                .getRangeFiles({ entityRef, base, head })
                .then(setFiles, setError)
            }
          >
            Files changed in this range
          </Button>
        )}
        {compareUrl && (
          <Button size="small" href={compareUrl} target="_blank" rel="noopener">
            Compare on the git host
          </Button>
        )}
      </Box>
      {files && (
        <Box mt={1}>
          <Typography variant="subtitle2">
            {files.length} files changed
          </Typography>
          <FileList files={files} />
        </Box>
      )}
    </Box>
  );
};
