import { Link } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  RunSummary,
  RunbookSummary,
  scheduledRunbookRef,
} from '@fleetdeck/plugin-runbooks-common';
import {
  ListRunsQuery,
  runbookRunRouteRef,
  runbooksApiRef,
} from '@fleetdeck/plugin-runbooks-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import { errorMessage } from '@fleetdeck/plugin-runbooks-react';
import { formatDuration, formatTime } from '../shared/format';
import { StatusChip } from '../shared/StatusChip';

const statuses = ['running', 'succeeded', 'failed', 'cancelled'] as const;

/**
 * The requester filter as the API matches it: a full ref as typed
 * (`user:default/jonas.weber`, `schedule:runbook:default/nightly-backup`),
 * a bare name as a user in the default namespace, lower case as refs are.
 */
export function requesterRef(input: string): string | undefined {
  const value = input.trim().toLocaleLowerCase('en-US');
  if (!value) return undefined;
  if (value.includes(':')) return value;
  return value.includes('/') ? `user:${value}` : `user:default/${value}`;
}

/** Recent runs across the fleet, filterable by status, runbook and requester. */
export function RunsTable(props: { runbooks: RunbookSummary[] }) {
  const api = useApi(runbooksApiRef);
  const runRoute = useRouteRef(runbookRunRouteRef);
  const [query, setQuery] = useState<ListRunsQuery>({});
  const [requester, setRequester] = useState('');
  const [runs, setRuns] = useState<RunSummary[]>();
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<string>();
  // a failed "older runs" page: the rows loaded stay, the button can retry
  const [moreError, setMoreError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    let cancelled = false;
    setRuns(undefined);
    setError(undefined);
    setMoreError(undefined);
    api.listRuns({ ...query, limit: 25 }).then(
      r => {
        if (cancelled) return;
        setRuns(r.items);
        setCursor(r.nextCursor);
      },
      e => !cancelled && setError(errorMessage(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [api, query]);

  const more = async () => {
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const r = await api.listRuns({ ...query, limit: 25, cursor });
      setRuns(current => [...(current ?? []), ...r.items]);
      setCursor(r.nextCursor);
    } catch (e) {
      setMoreError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <Box>
      <Box display="flex" style={{ gap: 16 }} mb={2}>
        <TextField
          id="runs-filter-status"
          select
          label="Status"
          value={query.status ?? ''}
          onChange={e =>
            setQuery(q => ({
              ...q,
              status: (e.target.value || undefined) as any,
            }))
          }
          style={{ minWidth: 160 }}
        >
          <MenuItem value="">Any</MenuItem>
          {statuses.map(s => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="runs-filter-runbook"
          select
          label="Runbook"
          value={query.runbookRef ?? ''}
          onChange={e =>
            setQuery(q => ({ ...q, runbookRef: e.target.value || undefined }))
          }
          style={{ minWidth: 240 }}
        >
          <MenuItem value="">Any</MenuItem>
          {props.runbooks.map(r => (
            <MenuItem key={r.entityRef} value={r.entityRef}>
              {r.title ?? r.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          // an id ties the label to the field (its accessible name)
          id="runs-filter-requester"
          label="Requester"
          placeholder="jonas.weber"
          helperText="a user name or ref, or schedule:<runbook ref>"
          value={requester}
          onChange={e => setRequester(e.target.value)}
          onBlur={() =>
            setQuery(q => ({
              ...q,
              requestedBy: requesterRef(requester),
            }))
          }
          onKeyDown={e => {
            if (e.key === 'Enter') {
              setQuery(q => ({
                ...q,
                requestedBy: requesterRef(requester),
              }));
            }
          }}
        />
      </Box>
      {error && <Alert severity="error">{error}</Alert>}
      {!error && !runs && <Box p={2}>Loading runs…</Box>}
      {runs && (
        <Table size="small" aria-label="Recent runs">
          <TableHead>
            <TableRow>
              <TableCell>Runbook</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Targets</TableCell>
              <TableCell>Requested by</TableCell>
              <TableCell>Started</TableCell>
              <TableCell>Duration</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {runs.map(run => (
              <TableRow key={run.id}>
                <TableCell>
                  <Link to={runRoute({ id: run.id })}>
                    {run.runbookTitle ?? run.runbookRef}
                  </Link>
                  {run.dryRun ? ' (dry run)' : ''}
                </TableCell>
                <TableCell>
                  <StatusChip status={run.status} />
                </TableCell>
                <TableCell>
                  {run.counts.succeeded}/{run.total}
                  {run.counts.failed ? `, ${run.counts.failed} failed` : ''}
                </TableCell>
                <TableCell>
                  {scheduledRunbookRef(run.requestedBy) ? (
                    'schedule'
                  ) : (
                    <EntityRefLink
                      entityRef={run.requestedBy}
                      defaultKind="user"
                    />
                  )}
                </TableCell>
                <TableCell>{formatTime(run.createdAt)}</TableCell>
                <TableCell>
                  {formatDuration(run.createdAt, run.finishedAt)}
                </TableCell>
              </TableRow>
            ))}
            {runs.length === 0 && (
              <TableRow>
                <TableCell colSpan={6}>No runs match these filters.</TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      )}
      {moreError && (
        <Box mt={1}>
          <Alert severity="error">Could not load older runs: {moreError}</Alert>
        </Box>
      )}
      {cursor && (
        <Button onClick={more} disabled={loadingMore} style={{ marginTop: 8 }}>
          {moreError ? 'Try again' : 'Older runs'}
        </Button>
      )}
    </Box>
  );
}
