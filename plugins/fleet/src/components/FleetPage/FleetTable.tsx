import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { memo } from 'react';
import { Link } from '@backstage/core-components';
import {
  EntityDisplayName,
  humanizeEntityRef,
  useEntityRefLink,
} from '@backstage/plugin-catalog-react';
import {
  Button,
  Checkbox,
  MenuItem,
  Paper,
  Select,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TableSortLabel,
  Typography,
} from '@material-ui/core';
import {
  compareVersions,
  toEntityRef,
  VersionPolicy,
} from '@fleetdeck/plugin-fleet-common';
import { FLEET_COLUMNS, FleetColumnId, FleetState } from './fleetQuery';
import { PAGE_SIZE } from './useFleetPage';
import { useVersionPolicy, VersionChip } from '../VersionPolicy';

type Facets = Record<string, Array<{ value: string; count: number }>>;

const label = (column: FleetColumnId, value: string) =>
  column === 'owner'
    ? humanizeEntityRef(parseEntityRef(value), { defaultKind: 'group' })
    : value;

function options(column: (typeof FLEET_COLUMNS)[number], facets: Facets) {
  const values = column.facet ? facets[column.facet] ?? [] : [];
  const sorted = [...values].sort((a, b) =>
    column.id === 'version' || column.id === 'nodes'
      ? compareVersions(a.value, b.value)
      : a.value.localeCompare(b.value),
  );
  return sorted;
}

/**
 * One cluster's row. Memoized, so a row re-renders only when its cluster, its
 * tick or the policy changes, not on every render of the page (a filter or
 * page change renders the page once before the catalog answers). Its links
 * are made with the page's one `entityLink` (EntityRefLink looks the entity
 * page route up again for every link: two a row, each a match of the app's
 * routes).
 */
const FleetRow = memo(
  (props: {
    entity: Entity;
    entityRef: string;
    policy: VersionPolicy;
    entityLink: ReturnType<typeof useEntityRefLink>;
    checked: boolean;
    onSelect?: (entityRefs: string[], checked: boolean) => void;
  }) => {
    const {
      entity: e,
      entityRef,
      policy,
      entityLink,
      checked,
      onSelect,
    } = props;
    const owner = e.spec?.owner
      ? toEntityRef(String(e.spec.owner), { defaultKind: 'group' })
      : undefined;
    return (
      <TableRow hover>
        {onSelect && (
          <TableCell padding="checkbox">
            <Checkbox
              checked={checked}
              onChange={(_ev, value) => onSelect([entityRef], value)}
              inputProps={{ 'aria-label': `Select ${e.metadata.name}` }}
            />
          </TableCell>
        )}
        <TableCell>
          <Link to={entityLink(e)}>
            <EntityDisplayName entityRef={e} defaultKind="cluster" />
          </Link>
        </TableCell>
        <TableCell>{String(e.spec?.engine ?? '')}</TableCell>
        <TableCell>
          <VersionChip
            policy={policy}
            engine={String(e.spec?.engine ?? '')}
            version={String(e.spec?.version ?? '')}
          />
        </TableCell>
        <TableCell>{String(e.spec?.environment ?? '')}</TableCell>
        <TableCell>
          {owner ? (
            <Link to={entityLink(owner)}>
              <EntityDisplayName entityRef={owner} />
            </Link>
          ) : null}
        </TableCell>
        <TableCell>{String(e.spec?.region ?? '')}</TableCell>
        <TableCell align="right">
          {Array.isArray(e.spec?.nodes) ? e.spec!.nodes.length : 0}
        </TableCell>
      </TableRow>
    );
  },
);

/** The rows of a page, their links made with one route lookup (see FleetRow). */
const FleetRows = (props: {
  items: Entity[];
  refs: string[];
  policy: VersionPolicy;
  selected?: ReadonlySet<string>;
  onSelect?: (entityRefs: string[], checked: boolean) => void;
}) => {
  const { items, refs, policy, selected, onSelect } = props;
  const entityLink = useEntityRefLink();
  return (
    <>
      {items.map((e, i) => (
        <FleetRow
          key={e.metadata.name}
          entity={e}
          entityRef={refs[i]}
          policy={policy}
          entityLink={entityLink}
          checked={!!selected?.has(refs[i])}
          onSelect={onSelect}
        />
      ))}
    </>
  );
};

/** The Fleet table: sortable headers, a filter per column, one page of rows, cursor paging. */
export const FleetTable = (props: {
  state: FleetState;
  facets: Facets;
  items: Entity[];
  total: number;
  offset: number;
  onChange: (next: Partial<FleetState>) => void;
  onNext?: () => void;
  onPrev?: () => void;
  /** Ticked clusters (entity refs); with onSelect, rows get checkboxes. */
  selected?: ReadonlySet<string>;
  onSelect?: (entityRefs: string[], checked: boolean) => void;
}) => {
  const { state, facets, items, total, offset, onChange } = props;
  const { selected, onSelect } = props;
  const { policy } = useVersionPolicy();
  const pageRefs = items.map(e => stringifyEntityRef(e));
  const ticked = pageRefs.filter(r => selected?.has(r)).length;
  const setFilter = (id: FleetColumnId, value: string) =>
    onChange({ filters: { ...state.filters, [id]: value || undefined } });
  return (
    <Paper>
      <TableContainer>
        <Table size="small" aria-label="Clusters">
          <TableHead>
            <TableRow>
              {onSelect && (
                <TableCell padding="checkbox">
                  <Checkbox
                    checked={ticked > 0 && ticked === pageRefs.length}
                    indeterminate={ticked > 0 && ticked < pageRefs.length}
                    onChange={(_e, checked) => onSelect(pageRefs, checked)}
                    inputProps={{
                      'aria-label': 'Select clusters on this page',
                    }}
                  />
                </TableCell>
              )}
              {FLEET_COLUMNS.map(c => (
                <TableCell key={c.id}>
                  <TableSortLabel
                    active={state.sort === c.id}
                    direction={state.sort === c.id ? state.order : 'asc'}
                    onClick={() =>
                      onChange({
                        sort: c.id,
                        order:
                          state.sort === c.id && state.order === 'asc'
                            ? 'desc'
                            : 'asc',
                      })
                    }
                  >
                    {c.title}
                  </TableSortLabel>
                </TableCell>
              ))}
            </TableRow>
            <TableRow>
              {onSelect && <TableCell padding="checkbox" />}
              {FLEET_COLUMNS.map(c => (
                <TableCell key={c.id}>
                  {c.facet ? (
                    <Select
                      value={state.filters[c.id] ?? ''}
                      onChange={e => setFilter(c.id, String(e.target.value))}
                      displayEmpty
                      fullWidth
                      SelectDisplayProps={
                        {
                          'aria-label': `Filter by ${c.title.toLocaleLowerCase(
                            'en-US',
                          )}`,
                        } as React.HTMLAttributes<HTMLDivElement>
                      }
                    >
                      <MenuItem value="">All</MenuItem>
                      {options(c, facets).map(o => (
                        <MenuItem key={o.value} value={o.value}>
                          {label(c.id, o.value)} ({o.count})
                        </MenuItem>
                      ))}
                    </Select>
                  ) : null}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {items.length > 0 && (
              <FleetRows
                items={items}
                refs={pageRefs}
                policy={policy}
                selected={selected}
                onSelect={onSelect}
              />
            )}
            {items.length === 0 && (
              <TableRow>
                <TableCell colSpan={FLEET_COLUMNS.length + (onSelect ? 1 : 0)}>
                  <Typography color="textSecondary">
                    No clusters match.
                  </Typography>
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </TableContainer>
      <div
        style={{
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'flex-end',
          gap: 8,
          padding: 8,
        }}
      >
        <Typography variant="body2" aria-live="polite">
          {total === 0
            ? '0 clusters'
            : `${offset + 1}–${Math.min(
                offset + PAGE_SIZE,
                offset + items.length,
              )} of ${total} clusters`}
        </Typography>
        <Button size="small" disabled={!props.onPrev} onClick={props.onPrev}>
          Previous
        </Button>
        <Button size="small" disabled={!props.onNext} onClick={props.onNext}>
          Next
        </Button>
      </div>
    </Paper>
  );
};
