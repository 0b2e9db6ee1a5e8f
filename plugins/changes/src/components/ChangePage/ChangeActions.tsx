import { ChangeDetail } from '@fleetdeck/plugin-changes-common';
import Box from '@material-ui/core/Box';
import { ConfirmButton } from '../shared/ConfirmButton';
import { plural } from '../shared/format';

/** The actions on a whole change; the page runs them and shows their errors. */
export type ChangeAction =
  | 'apply'
  | 'refresh'
  | 'update-branches'
  | 'close'
  | 'cancel';

/**
 * Apply to all, Refresh, Update branches, Close all and Cancel, each enabled
 * when it can do something and each asking first: they reach every repository.
 */
export function ChangeActions(props: {
  change: ChangeDetail;
  busy: boolean;
  onAction(action: ChangeAction): void;
}) {
  const { change, busy } = props;
  const c = change.counts;
  const previewed = c.previewed ?? 0;
  const open = (c.pr_open ?? 0) + (c.pushed ?? 0);
  const closed = change.state === 'closed';
  const repos = (n: number) => plural(n, 'repository', 'repositories');
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
      <ConfirmButton
        label="Apply to all"
        variant="contained"
        color="primary"
        disabled={busy || closed || previewed === 0}
        question={`Push the branch and open a pull request in ${repos(
          previewed,
        )} previewed. Where you do not own the service, the pull request waits for an owner's approval.`}
        onConfirm={() => props.onAction('apply')}
      />
      <ConfirmButton
        label="Refresh"
        disabled={busy}
        question="Read every pull request's state and checks from the hosts now."
        onConfirm={() => props.onAction('refresh')}
      />
      <ConfirmButton
        label="Update branches"
        disabled={busy || closed || open === 0}
        question={`Rebuild the branches whose base branch moved, in up to ${repos(
          open,
        )}. The pull requests' checks run again.`}
        onConfirm={() => props.onAction('update-branches')}
      />
      <ConfirmButton
        label="Close all"
        color="secondary"
        disabled={busy || closed || open === 0}
        question={`Close every open pull request of this change (${repos(
          open,
        )}). Merged ones stay merged.`}
        onConfirm={() => props.onAction('close')}
      />
      <ConfirmButton
        label="Cancel"
        color="secondary"
        disabled={busy || closed || change.state === 'applied'}
        question="Stop this change: previews and applies not yet done are dropped. Pull requests already open stay open (Close all closes them)."
        onConfirm={() => props.onAction('cancel')}
      />
    </Box>
  );
}
