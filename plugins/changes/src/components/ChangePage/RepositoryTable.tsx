import { ChangeRepository } from '@fleetdeck/plugin-changes-common';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { RepositoryRow, RowAction } from './RepositoryRow';

/** A change's repositories, one row each. */
export function RepositoryTable(props: {
  changeId: string;
  repositories: ChangeRepository[];
  busy: boolean;
  onAction(action: RowAction, entityRef: string): void;
}) {
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label="Repositories">
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox" />
            <TableCell>Service</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Files changed</TableCell>
            <TableCell>Pull request</TableCell>
            <TableCell>Checks</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {props.repositories.map(repo => (
            <RepositoryRow
              key={repo.entityRef}
              changeId={props.changeId}
              repo={repo}
              busy={props.busy}
              onAction={props.onAction}
            />
          ))}
          {props.repositories.length === 0 && (
            <TableRow>
              <TableCell colSpan={7}>No repositories selected yet.</TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
