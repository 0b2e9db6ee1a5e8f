import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { ChangeRepository } from '@fleetdeck/plugin-changes-common';
import Box from '@material-ui/core/Box';
import Collapse from '@material-ui/core/Collapse';
import IconButton from '@material-ui/core/IconButton';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import ErrorOutlineIcon from '@material-ui/icons/ErrorOutline';
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowRightIcon from '@material-ui/icons/KeyboardArrowRight';
import { useState } from 'react';
import { ChecksIndicator } from '../shared/ChecksIndicator';
import { ConfirmButton } from '../shared/ConfirmButton';
import { plural } from '../shared/format';
import { StateChip } from '../shared/StateChip';
import { DiffView } from './DiffView';

/** What one repository's row can do. */
export type RowAction = 'apply' | 'approve';

const COLUMNS = 7;

/** The one thing a row's button does in its state, if any. */
function rowAction(
  state: ChangeRepository['state'],
  name: string,
): { label: string; kind: RowAction; question: string } | undefined {
  switch (state) {
    case 'previewed':
      return {
        label: 'Apply',
        kind: 'apply',
        question: `Push the branch and open a pull request in ${name}.`,
      };
    case 'failed':
      return {
        label: 'Retry',
        kind: 'apply',
        question: `Apply the change again in ${name}.`,
      };
    case 'awaiting_approval':
      return {
        label: 'Approve',
        kind: 'approve',
        question: `As an owner of ${name}, let this change open its pull request there.`,
      };
    default:
      return undefined;
  }
}

function FilesCell(props: { files?: ChangeRepository['files'] }) {
  if (!props.files) return <>—</>;
  const added = props.files.reduce((n, f) => n + f.added, 0);
  const removed = props.files.reduce((n, f) => n + f.removed, 0);
  return (
    <Box
      style={{ whiteSpace: 'nowrap' }}
      title={props.files.map(f => f.path).join('\n')}
    >
      {plural(props.files.length, 'file')}{' '}
      <span style={{ color: '#1a7f37', fontWeight: 600 }}>+{added}</span>{' '}
      <span style={{ color: '#cf222e', fontWeight: 600 }}>−{removed}</span>
    </Box>
  );
}

/** One repository of a change; expanding it shows its exact diff. */
export function RepositoryRow(props: {
  changeId: string;
  repo: ChangeRepository;
  busy: boolean;
  onAction(action: RowAction, entityRef: string): void;
}) {
  const { repo } = props;
  const [open, setOpen] = useState(false);
  const hasDiff = repo.state !== 'pending' && repo.state !== 'no_change';
  const name = repo.entityRef.replace(/^component:(default\/)?/, '');
  const action = rowAction(repo.state, name);

  // the row, its error line and its diff read as one block
  const joined = open || repo.error ? { borderBottom: 'none' } : undefined;

  return (
    <>
      <TableRow
        data-testid="repository-row"
        data-entity-ref={repo.entityRef}
        hover
      >
        <TableCell padding="checkbox" style={joined}>
          {hasDiff && (
            <IconButton
              size="small"
              aria-label={`${open ? 'Hide' : 'Show'} the diff of ${
                repo.entityRef
              }`}
              aria-expanded={open}
              onClick={() => setOpen(!open)}
            >
              {open ? <KeyboardArrowDownIcon /> : <KeyboardArrowRightIcon />}
            </IconButton>
          )}
        </TableCell>
        <TableCell style={joined}>
          <EntityRefLink entityRef={repo.entityRef} />
        </TableCell>
        <TableCell style={joined}>
          <StateChip kind="repository" state={repo.state} />
        </TableCell>
        <TableCell style={joined}>
          <FilesCell files={repo.files} />
        </TableCell>
        <TableCell style={joined}>
          {repo.pullRequest ? (
            <Link to={repo.pullRequest.url}>
              {repo.pullRequest.number
                ? `#${repo.pullRequest.number}`
                : 'compare'}
            </Link>
          ) : (
            '—'
          )}
        </TableCell>
        <TableCell style={joined}>
          <ChecksIndicator checks={repo.checks} />
        </TableCell>
        <TableCell align="right" style={joined}>
          {action && (
            <ConfirmButton
              size="small"
              label={action.label}
              disabled={props.busy}
              question={action.question}
              onConfirm={() => props.onAction(action.kind, repo.entityRef)}
            />
          )}
        </TableCell>
      </TableRow>
      {repo.error && (
        <TableRow>
          <TableCell
            padding="checkbox"
            style={{ borderBottom: open ? 'none' : undefined }}
          />
          <TableCell
            colSpan={COLUMNS - 1}
            style={{ borderBottom: open ? 'none' : undefined, paddingTop: 0 }}
          >
            <Box
              display="flex"
              alignItems="flex-start"
              style={{ gap: 6, color: '#cf222e' }}
            >
              <ErrorOutlineIcon fontSize="small" />
              <Typography
                variant="body2"
                component="span"
                data-testid="repository-error"
              >
                {repo.error}
                {repo.attempts > 1 ? ` (after ${repo.attempts} attempts)` : ''}
              </Typography>
            </Box>
          </TableCell>
        </TableRow>
      )}
      {open && (
        <TableRow>
          <TableCell colSpan={COLUMNS} style={{ paddingTop: 0 }}>
            <Collapse in={open} timeout="auto" unmountOnExit>
              <DiffView changeId={props.changeId} entityRef={repo.entityRef} />
            </Collapse>
          </TableCell>
        </TableRow>
      )}
    </>
  );
}
