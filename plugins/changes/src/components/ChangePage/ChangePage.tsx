import {
  Content,
  Link,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { ChangeSummary } from '@fleetdeck/plugin-changes-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import ArrowBackIcon from '@material-ui/icons/ArrowBack';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { changesApiRef } from '../../api/ChangesApi';
import { changesRouteRef } from '../../routes';
import { errorMessage } from '../shared/errorMessage';
import { ChangeAction, ChangeActions } from './ChangeActions';
import { ChangeHeader } from './ChangeHeader';
import { RepositoryTable } from './RepositoryTable';
import { RowAction } from './RepositoryRow';
import { useChange } from './useChange';

const actionNames: Record<ChangeAction | RowAction, string> = {
  apply: 'Apply',
  approve: 'Approve',
  refresh: 'Refresh',
  'update-branches': 'Update branches',
  close: 'Close all',
  cancel: 'Cancel',
};

/**
 * `/changes/:id`: a change's counts as a picture, then one row per
 * repository with its diff, pull request and checks, and the actions.
 * Polls every 2 s while the change is previewing or applying.
 */
export function ChangePage(props: { pollMs?: number }) {
  const { id = '' } = useParams();
  const api = useApi(changesApiRef);
  const changesRoute = useRouteRef(changesRouteRef);
  const { change, error, refreshError, reload, merge } = useChange(
    id,
    props.pollMs,
  );
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string>();

  const run = async (name: string, action: () => Promise<ChangeSummary>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      merge(await action());
    } catch (e) {
      setActionError(`${name} failed: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
      reload();
    }
  };

  const onChangeAction = (action: ChangeAction) => {
    const calls: Record<ChangeAction, () => Promise<ChangeSummary>> = {
      apply: () => api.apply(id),
      refresh: () => api.refresh(id),
      'update-branches': () => api.updateBranches(id),
      close: () => api.close(id),
      cancel: () => api.cancel(id),
    };
    run(
      action === 'apply' ? 'Apply to all' : actionNames[action],
      calls[action],
    );
  };

  const onRowAction = (action: RowAction, entityRef: string) =>
    run(`${actionNames[action]} in ${entityRef}`, () =>
      action === 'apply'
        ? api.apply(id, [entityRef])
        : api.approve(id, [entityRef]),
    );

  if (error) {
    const notFound = (error as { statusCode?: number }).statusCode === 404;
    return (
      <Content>
        {notFound ? (
          <WarningPanel severity="error" title="Change not found">
            There is no change with id {id}, or you may not see it.
          </WarningPanel>
        ) : (
          <ResponseErrorPanel error={error} title="Could not load the change" />
        )}
      </Content>
    );
  }
  if (!change) return <Progress />;

  return (
    <Content>
      <Box mb={1}>
        <Link to={changesRoute()}>
          <Box display="inline-flex" alignItems="center" style={{ gap: 4 }}>
            <ArrowBackIcon fontSize="small" /> All changes
          </Box>
        </Link>
      </Box>
      <ChangeHeader change={change} />
      <Box
        display="flex"
        justifyContent="space-between"
        alignItems="center"
        flexWrap="wrap"
        mb={2}
        style={{ gap: 8 }}
      >
        <Typography variant="h6" component="h2">
          Repositories
        </Typography>
        <ChangeActions change={change} busy={busy} onAction={onChangeAction} />
      </Box>
      {actionError && (
        <Box mb={2}>
          <Alert severity="error" onClose={() => setActionError(undefined)}>
            {actionError}
          </Alert>
        </Box>
      )}
      {refreshError && (
        <Box mb={2}>
          <Alert severity="warning">
            Could not refresh the change, what you see may be out of date:{' '}
            {refreshError}
          </Alert>
        </Box>
      )}
      <RepositoryTable
        changeId={change.id}
        repositories={change.repositories}
        busy={busy}
        onAction={onRowAction}
      />
    </Content>
  );
}
