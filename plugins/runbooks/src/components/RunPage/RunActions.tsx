import { usePermission } from '@backstage/plugin-permission-react';
import {
  runbooksApprovePermission,
  runbooksCancelPermission,
  RunSummary,
  TargetRun,
} from '@fleetdeck/plugin-runbooks-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { useCurrentIdentity } from '../shared/useCurrentIdentity';

/** Props of {@link RunActions}. */
export interface RunActionsProps {
  run: RunSummary;
  /** A target waiting for approval, if any (its entity is what approval is checked on). */
  awaitingTarget?: TargetRun;
  busy: boolean;
  onCancel(): void;
  onRetry(): void;
  onApprove(): void;
  onReject(): void;
}

/**
 * Cancel, retry failed, approve and reject, each shown only to those who may
 * use it: the requester or holders of `runbooks.cancel` for cancel and retry;
 * for approval, members of the run's approver groups other than the requester
 * who hold `runbooks.approve`. The server checks the same again.
 */
export function RunActions(props: RunActionsProps) {
  const { run, awaitingTarget, busy } = props;
  const identity = useCurrentIdentity();
  const cancelPermission = usePermission({
    permission: runbooksCancelPermission,
    resourceRef: run.runbookRef,
  });
  const approvePermission = usePermission({
    permission: runbooksApprovePermission,
    resourceRef: awaitingTarget?.entityRef ?? run.runbookRef,
  });
  if (!identity) return null;

  const isRequester =
    identity.userEntityRef === run.requestedBy.toLocaleLowerCase('en-US');
  const canControl = isRequester || cancelPermission.allowed;
  const inApproverGroup = (run.approvers ?? []).some(group =>
    identity.ownershipEntityRefs.includes(group.toLocaleLowerCase('en-US')),
  );
  const canApprove =
    !isRequester && inApproverGroup && approvePermission.allowed;
  const active = run.status === 'running' || run.status === 'awaiting_approval';

  return (
    <Box display="flex" style={{ gap: 8 }}>
      {canApprove && run.counts.awaiting_approval > 0 && (
        <>
          <Button
            variant="contained"
            color="primary"
            disabled={busy}
            onClick={props.onApprove}
          >
            Approve
          </Button>
          <Button variant="outlined" disabled={busy} onClick={props.onReject}>
            Reject
          </Button>
        </>
      )}
      {canControl && active && (
        <Button
          variant="outlined"
          color="secondary"
          disabled={busy}
          onClick={props.onCancel}
        >
          Cancel run
        </Button>
      )}
      {canControl && !active && run.counts.failed > 0 && (
        <Button variant="outlined" disabled={busy} onClick={props.onRetry}>
          Retry failed targets
        </Button>
      )}
    </Box>
  );
}
