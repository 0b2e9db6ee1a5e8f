import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EntityRefLink,
  humanizeEntityRef,
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
import { compareVersions, toEntityRef } from '@fleetdeck/plugin-fleet-common';
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
            {items.map((e, i) => (
              <TableRow key={e.metadata.name} hover>
                {onSelect && (
                  <TableCell padding="checkbox">
                    <Checkbox
                      checked={!!selected?.has(pageRefs[i])}
                      onChange={(_ev, checked) =>
                        onSelect([pageRefs[i]], checked)
                      }
                      inputProps={{ 'aria-label': `Select ${e.metadata.name}` }}
                    />
                  </TableCell>
                )}
                <TableCell>
                  <EntityRefLink entityRef={e} defaultKind="cluster" />
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
                  {e.spec?.owner ? (
                    <EntityRefLink
                      entityRef={toEntityRef(String(e.spec.owner), {
                        defaultKind: 'group',
                      })}
                    />
                  ) : null}
                </TableCell>
                <TableCell>{String(e.spec?.region ?? '')}</TableCell>
                <TableCell align="right">
                  {Array.isArray(e.spec?.nodes) ? e.spec!.nodes.length : 0}
                </TableCell>
              </TableRow>
            ))}
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
