import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  ContentHeader,
  ResponseErrorPanel,
  SupportButton,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  Box,
  Button,
  InputAdornment,
  LinearProgress,
  TextField,
  Typography,
} from '@material-ui/core';
import SearchIcon from '@material-ui/icons/Search';
import Skeleton from '@material-ui/lab/Skeleton';
import { RunbookLauncherDialog } from '@fleetdeck/plugin-runbooks-react';
import {
  FLEET_COLUMNS,
  FleetState,
  stateFromParams,
  stateToParams,
} from './fleetQuery';
import { FleetTable } from './FleetTable';
import { FleetOverview } from '../FleetOverview/FleetOverview';
import { InventoryHealingBanner } from './InventoryHealingBanner';
import { InventoryStatusBanner } from './InventoryStatusBanner';
import { useFleetPage } from './useFleetPage';

/** The Fleet page: every cluster in the catalog, filtered, searched and sorted on the server. */
export const FleetPage = () => {
  const catalogApi = useApi(catalogApiRef);
  const [params, setParams] = useSearchParams();
  const state = stateFromParams(params);
  const [search, setSearch] = useState(state.q);
  const update = (next: Partial<FleetState>) =>
    setParams(stateToParams({ ...state, ...next }), { replace: true });

  // Search as the user types, without a request per keystroke.
  useEffect(() => {
    if (search === state.q) return undefined;
    const t = setTimeout(() => update({ q: search }), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  const page = useFleetPage(state);
  // The rows are what the page is opened for. The overview, the filters'
  // options and the inventory banners ask the catalog only once the first
  // rows are in: started together, their five requests shared one backend
  // and its database with the rows' and held them back (at 10,000 clusters
  // the rows came at 690 ms instead of under 200).
  const [rowsIn, setRowsIn] = useState(false);
  useEffect(() => {
    if (!page.loading && (page.value || page.error)) setRowsIn(true);
  }, [page.loading, page.value, page.error]);
  const facets = useAsync(
    async () =>
      rowsIn
        ? catalogApi.getEntityFacets({
            filter: { kind: 'cluster' },
            facets: FLEET_COLUMNS.flatMap(c => (c.facet ? [c.facet] : [])),
          })
        : undefined,
    [catalogApi, rowsIn],
  );

  // Selection for runbook runs; "select all" covers every page of the filter.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [launcherOpen, setLauncherOpen] = useState(false);
  // stable, so the table's memoized rows keep it across renders
  const onSelect = useCallback(
    (refs: string[], checked: boolean) =>
      setSelected(current => {
        const next = new Set(current);
        for (const ref of refs) {
          if (checked) next.add(ref);
          else next.delete(ref);
        }
        return next;
      }),
    [],
  );
  const selectAllMatching = async () =>
    setSelected(new Set(await page.matchingRefs()));

  return (
    <Content>
      <ContentHeader title="Clusters">
        <SupportButton>
          Every cluster in the catalog, from the inventories and catalog-info
          files.
        </SupportButton>
      </ContentHeader>
      {rowsIn && <InventoryStatusBanner />}
      {rowsIn && <InventoryHealingBanner />}
      {rowsIn ? (
        <FleetOverview
          state={state}
          onChange={update}
          onSelect={refs => setSelected(new Set(refs))}
        />
      ) : (
        <section aria-label="Fleet overview" style={{ marginBottom: 16 }}>
          <Skeleton variant="rect" height={180} aria-label="Loading overview" />
        </section>
      )}
      <TextField
        placeholder="Search name, version, owner, region…"
        value={search}
        onChange={e => setSearch(e.target.value)}
        variant="outlined"
        size="small"
        fullWidth
        inputProps={{ 'aria-label': 'Search clusters' }}
        InputProps={{
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon />
            </InputAdornment>
          ),
        }}
        style={{ marginBottom: 16 }}
      />
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 8 }}>
        <Typography variant="body2" aria-live="polite">
          {selected.size} selected
        </Typography>
        <Button
          size="small"
          onClick={selectAllMatching}
          disabled={!page.value?.totalItems}
        >
          Select all {page.value?.totalItems ?? 0} matching filter
        </Button>
        <Button
          size="small"
          onClick={() => setSelected(new Set())}
          disabled={selected.size === 0}
        >
          Clear selection
        </Button>
        <Button
          size="small"
          variant="contained"
          color="primary"
          disabled={selected.size === 0}
          onClick={() => setLauncherOpen(true)}
        >
          Run runbook…
        </Button>
      </Box>
      {launcherOpen && (
        <RunbookLauncherDialog
          open
          entityRefs={[...selected]}
          onClose={() => setLauncherOpen(false)}
        />
      )}
      {page.loading && <LinearProgress />}
      {page.error ? (
        <ResponseErrorPanel error={page.error} />
      ) : (
        <FleetTable
          state={state}
          facets={facets.value?.facets ?? {}}
          items={page.value?.items ?? []}
          total={page.value?.totalItems ?? 0}
          offset={page.offset}
          onChange={update}
          onNext={page.goNext}
          onPrev={page.goPrev}
          selected={selected}
          onSelect={onSelect}
        />
      )}
    </Content>
  );
};
