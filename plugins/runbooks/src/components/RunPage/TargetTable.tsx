import {
  ALL_TARGET_STATUSES,
  TargetCounts,
  TargetRun,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import Box from '@material-ui/core/Box';
import { makeStyles } from '@material-ui/core/styles';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TablePagination from '@material-ui/core/TablePagination';
import TableRow from '@material-ui/core/TableRow';
import { formatDuration } from '../shared/format';
import { targetName } from '../shared/targetName';
import { StatusChip, statusLabel } from '../shared/StatusChip';

const filterOrder = ALL_TARGET_STATUSES;

const nowrap = { whiteSpace: 'nowrap' } as const;

const useStyles = makeStyles({
  // narrower gutters than MUI's small table: four columns in half a page
  compact: {
    '& th, & td': { paddingLeft: 8, paddingRight: 8 },
  },
});

/** Props of {@link TargetTable}. */
export interface TargetTableProps {
  targets: TargetRun[];
  totalCount: number;
  counts: TargetCounts;
  status?: TargetStatus;
  onStatusChange(status: TargetStatus | undefined): void;
  page: number;
  pageSize: number;
  onPageChange(page: number): void;
  selectedId?: string;
  onSelect(target: TargetRun): void;
}

/** The targets of a run with status chips and durations, filterable by state. */
export function TargetTable(props: TargetTableProps) {
  const classes = useStyles();
  const { targets, counts, status, onStatusChange, selectedId, onSelect } =
    props;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return (
    <Box>
      <Box
        display="flex"
        flexWrap="wrap"
        style={{ gap: 8 }}
        mb={1}
        role="group"
        aria-label="Filter targets by status"
      >
        <Chip
          label={`All ${total}`}
          color={status ? 'default' : 'primary'}
          onClick={() => onStatusChange(undefined)}
          clickable
        />
        {filterOrder
          .filter(s => counts[s] > 0 || s === status)
          .map(s => (
            <Chip
              key={s}
              label={`${statusLabel(s)} ${counts[s] ?? 0}`}
              color={status === s ? 'primary' : 'default'}
              onClick={() => onStatusChange(s)}
              clickable
            />
          ))}
      </Box>
      <Box style={{ overflowX: 'auto' }}>
        {/* Names, chips and durations stay on one line; a long step name
            wraps, so every column fits the panel's width. */}
        <Table size="small" aria-label="Targets" className={classes.compact}>
          <TableHead>
            <TableRow>
              <TableCell style={nowrap}>Target</TableCell>
              <TableCell style={nowrap}>Status</TableCell>
              <TableCell style={nowrap}>Step</TableCell>
              <TableCell align="right" style={nowrap}>
                Duration
              </TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {targets.map(target => {
              const current =
                target.steps.find(s => s.status === 'running') ??
                target.steps.find(s => s.status === 'failed');
              return (
                <TableRow
                  key={target.id}
                  hover
                  selected={target.id === selectedId}
                  onClick={() => onSelect(target)}
                  style={{ cursor: 'pointer' }}
                  data-testid={`target-${target.entityRef}`}
                >
                  <TableCell style={nowrap}>{targetName(target)}</TableCell>
                  <TableCell style={nowrap}>
                    <StatusChip status={target.status} />
                  </TableCell>
                  <TableCell>
                    {current ? current.name ?? current.stepId : '—'}
                  </TableCell>
                  <TableCell align="right" style={nowrap}>
                    {formatDuration(target.startedAt, target.finishedAt)}
                  </TableCell>
                </TableRow>
              );
            })}
            {targets.length === 0 && (
              <TableRow>
                <TableCell colSpan={4}>No targets in this state.</TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </Box>
      {props.totalCount > props.pageSize && (
        <TablePagination
          component="div"
          count={props.totalCount}
          page={props.page}
          rowsPerPage={props.pageSize}
          rowsPerPageOptions={[props.pageSize]}
          onPageChange={(_e, page) => props.onPageChange(page)}
        />
      )}
    </Box>
  );
}
