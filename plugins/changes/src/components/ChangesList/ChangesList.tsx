import {
  EmptyState,
  Link,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { ChangeSummary } from '@fleetdeck/plugin-changes-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { changesApiRef } from '../../api/ChangesApi';
import { changeRouteRef, changesSearchRouteRef } from '../../routes';
import { CountsBar } from '../shared/CountsBar';
import { errorMessage } from '../shared/errorMessage';
import { timeAgo } from '../shared/format';
import { StateChip } from '../shared/StateChip';

const PAGE = 50;

/** Every change, newest first: title, state, who made it, and its counts as a bar. */
export function ChangesList() {
  const api = useApi(changesApiRef);
  const changeRoute = useRouteRef(changeRouteRef);
  const searchRoute = useRouteRef(changesSearchRouteRef);
  const [items, setItems] = useState<ChangeSummary[]>();
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    let cancelled = false;
    api.listChanges({ limit: PAGE }).then(
      r => {
        if (cancelled) return;
        setItems(r.items);
        setCursor(r.nextCursor);
      },
      e => !cancelled && setError(errorMessage(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const more = async () => {
    setLoadingMore(true);
    setError(undefined);
    try {
      const r = await api.listChanges({ limit: PAGE, cursor });
      setItems(current => [...(current ?? []), ...r.items]);
      setCursor(r.nextCursor);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const columns: TableColumn<ChangeSummary>[] = [
    {
      title: 'Title',
      field: 'title',
      highlight: true,
      render: c => <Link to={changeRoute({ id: c.id })}>{c.title}</Link>,
    },
    {
      title: 'State',
      field: 'state',
      render: c => <StateChip kind="change" state={c.state} />,
    },
    {
      title: 'Repositories',
      sorting: false,
      render: c => (
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <Box flexGrow={1}>
            <CountsBar counts={c.counts} total={c.total} />
          </Box>
          <Typography variant="body2" color="textSecondary">
            {c.total}
          </Typography>
        </Box>
      ),
      width: '30%',
    },
    {
      title: 'Created by',
      field: 'createdBy',
      render: c => <EntityRefLink entityRef={c.createdBy} defaultKind="user" />,
    },
    {
      title: 'Created',
      field: 'createdAt',
      defaultSort: 'desc',
      render: c => <span title={c.createdAt}>{timeAgo(c.createdAt)}</span>,
    },
  ];

  return (
    <Box>
      {error && (
        <Box mb={2}>
          <Alert severity="error">Could not load changes: {error}</Alert>
        </Box>
      )}
      {items && items.length === 0 ? (
        <EmptyState
          missing="content"
          title="No changes yet"
          description="Search the code of every service, then make one change in all that match: each gets its own pull request."
          action={
            <Button
              variant="contained"
              color="primary"
              component={RouterLink}
              to={searchRoute()}
            >
              Search code
            </Button>
          }
        />
      ) : (
        <Table<ChangeSummary>
          title="Changes"
          isLoading={!items && !error}
          data={items ?? []}
          columns={columns}
          options={{ paging: false, search: true, padding: 'dense' }}
        />
      )}
      {cursor && (
        <Box mt={1}>
          <Button onClick={more} disabled={loadingMore}>
            Load older changes
          </Button>
        </Box>
      )}
    </Box>
  );
}
