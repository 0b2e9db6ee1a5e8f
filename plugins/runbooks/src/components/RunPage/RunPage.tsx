import {
  Content,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  runSignalChannel,
  RunStreamEvent,
  RunSummary,
  TargetRun,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import {
  errorMessage,
  runbookRunRouteRef,
  runbooksApiRef,
} from '@fleetdeck/plugin-runbooks-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { RunActions } from './RunActions';
import { RunHeader } from './RunHeader';
import { RunLogPanel } from './RunLogPanel';
import { TargetDetail } from './TargetDetail';
import { TargetTable } from './TargetTable';

const PAGE_SIZE = 50;

/** `/runbooks/runs/:id`: a run's progress, targets, steps and live log. */
export function RunPage() {
  const { id: runId = '' } = useParams();
  const api = useApi(runbooksApiRef);
  const navigate = useNavigate();
  const runRoute = useRouteRef(runbookRunRouteRef);
  const [run, setRun] = useState<RunSummary>();
  const [status, setStatus] = useState<TargetStatus>();
  const [page, setPage] = useState(0);
  const [selectedId, setSelectedId] = useState<string>();
  const [selected, setSelected] = useState<TargetRun>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string>();
  // a refresh that failed: the page keeps what it has and says so
  const [refreshError, setRefreshError] = useState<string>();
  const [targetError, setTargetError] = useState<string>();
  const [refresh, setRefresh] = useState(0);

  const runState = useAsyncRetry(async () => {
    const loaded = await api.getRun(runId);
    setRun(loaded);
    return loaded;
  }, [api, runId]);

  const targets = useAsyncRetry(
    () =>
      api.listTargets(runId, {
        status: status ? [status] : undefined,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      }),
    [api, runId, status, page, refresh],
  );

  // Select the first target, and keep the selected one current from the list
  // (list rows carry their steps; getTarget below covers other pages).
  useEffect(() => {
    const items = targets.value?.items ?? [];
    if (!selectedId && items.length) {
      setSelectedId(items[0].id);
      setSelected(items[0]);
      return;
    }
    const fresh = items.find(t => t.id === selectedId);
    if (fresh) setSelected(fresh);
  }, [selectedId, targets.value]);

  // The selected target with its steps, refreshed whenever its state changes.
  useEffect(() => {
    let cancelled = false;
    if (selectedId) {
      api.getTarget(runId, selectedId).then(
        t => {
          if (cancelled) return;
          setSelected(t);
          setTargetError(undefined);
        },
        e => !cancelled && setTargetError(errorMessage(e)),
      );
    }
    return () => {
      cancelled = true;
    };
  }, [api, runId, selectedId, refresh]);

  const onEvent = useCallback((event: RunStreamEvent) => {
    if (event.type === 'run') setRun(event.run);
    setRefresh(r => r + 1);
  }, []);

  // Pushed by the backend on every state change; covers runs whose log
  // stream is not open (no target selected yet).
  const { lastSignal } = useSignal(runSignalChannel(runId));
  useEffect(() => {
    if (lastSignal) {
      api.getRun(runId).then(
        loaded => {
          setRun(loaded);
          setRefreshError(undefined);
        },
        e => setRefreshError(errorMessage(e)),
      );
      setRefresh(r => r + 1);
    }
  }, [api, runId, lastSignal]);

  const act = async (
    action: () => Promise<RunSummary>,
    navigateTo?: boolean,
  ) => {
    setBusy(true);
    setActionError(undefined);
    try {
      const result = await action();
      if (navigateTo && result.id !== runId) {
        navigate(runRoute({ id: result.id }));
      } else {
        setRun(result);
        setRefresh(r => r + 1);
      }
    } catch (e) {
      setActionError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (runState.loading && !run) return <Progress />;
  if (runState.error) {
    const notFound =
      (runState.error as { statusCode?: number }).statusCode === 404;
    return (
      <Content>
        {notFound ? (
          <WarningPanel severity="error" title="Run not found">
            There is no run with id {runId}. It may have been mistyped, or you
            may not be allowed to see it.
          </WarningPanel>
        ) : (
          <ResponseErrorPanel
            error={runState.error}
            title="Could not load the run"
          />
        )}
      </Content>
    );
  }
  if (!run) return <Progress />;

  const awaitingTarget =
    (selected?.status === 'awaiting_approval' ? selected : undefined) ??
    targets.value?.items.find(t => t.status === 'awaiting_approval');

  return (
    <Content>
      <Box
        display="flex"
        justifyContent="space-between"
        alignItems="center"
        mb={1}
      >
        <Typography variant="h4" component="h1">
          {run.runbookTitle ?? run.runbookRef}
        </Typography>
        <RunActions
          run={run}
          awaitingTarget={awaitingTarget}
          busy={busy}
          onApprove={() => act(() => api.approve(run.id))}
          onReject={() => act(() => api.reject(run.id))}
          onCancel={() => act(() => api.cancel(run.id))}
          onRetry={() => act(() => api.retryFailed(run.id), true)}
        />
      </Box>
      {actionError && (
        <Box mb={2}>
          <Alert severity="error">{actionError}</Alert>
        </Box>
      )}
      {refreshError && (
        <Box mb={2}>
          <Alert severity="warning">
            Could not refresh the run, it may be out of date: {refreshError}
          </Alert>
        </Box>
      )}
      <RunHeader run={run} />
      <RunLogPanel runId={run.id} status={run.status} />
      <Grid container spacing={2} style={{ marginTop: 8 }}>
        <Grid item xs={12} md={5}>
          <Paper variant="outlined">
            <Box p={2}>
              {targets.error ? (
                <ResponseErrorPanel
                  error={targets.error}
                  title="Could not load targets"
                />
              ) : (
                <TargetTable
                  targets={targets.value?.items ?? []}
                  totalCount={targets.value?.totalCount ?? 0}
                  counts={run.counts}
                  status={status}
                  onStatusChange={s => {
                    setStatus(s);
                    setPage(0);
                  }}
                  page={page}
                  pageSize={PAGE_SIZE}
                  onPageChange={setPage}
                  selectedId={selectedId}
                  onSelect={t => {
                    setSelectedId(t.id);
                    setSelected(t);
                  }}
                />
              )}
            </Box>
          </Paper>
        </Grid>
        <Grid item xs={12} md={7}>
          <Paper variant="outlined">
            <Box p={2}>
              {targetError && (
                <Box mb={1}>
                  <Alert severity="error">
                    Could not load the target: {targetError}
                  </Alert>
                </Box>
              )}
              {selected && selected.id === selectedId ? (
                <TargetDetail
                  runId={run.id}
                  target={selected}
                  onEvent={onEvent}
                />
              ) : (
                <Typography color="textSecondary">
                  Select a target to see its steps and log.
                </Typography>
              )}
            </Box>
          </Paper>
        </Grid>
      </Grid>
    </Content>
  );
}
