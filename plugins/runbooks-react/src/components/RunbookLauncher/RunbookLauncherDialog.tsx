import { useRouteRef } from '@backstage/core-plugin-api';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import { useNavigate } from 'react-router-dom';
import { runbookRunRouteRef } from '../../api';
import { RunbookLauncher } from './RunbookLauncher';

/** Props of {@link RunbookLauncherDialog}. @public */
export interface RunbookLauncherDialogProps {
  open: boolean;
  entityRefs: string[];
  onClose(): void;
  /** Runbook to pick first, e.g. the one a version policy names. */
  runbookRef?: string;
  /** Parameters to fill in first, e.g. the policy's target version. */
  initialParameters?: Record<string, unknown>;
  /**
   * An in-app path (e.g. the Fleet page with its filter) the run page links
   * back to; passed as its `from` query parameter.
   */
  returnTo?: string;
}

/**
 * The {@link RunbookLauncher} in a dialog that opens the run page of the
 * started run: what a list page (the Fleet page) embeds for "Run runbook".
 * @public
 */
export function RunbookLauncherDialog(props: RunbookLauncherDialogProps) {
  const { open, entityRefs, onClose, returnTo } = props;
  const navigate = useNavigate();
  const runRoute = useRouteRef(runbookRunRouteRef);
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>
        Run a runbook on {entityRefs.length}{' '}
        {entityRefs.length === 1 ? 'entity' : 'entities'}
      </DialogTitle>
      <DialogContent>
        {open && (
          <RunbookLauncher
            entityRefs={entityRefs}
            runbookRef={props.runbookRef}
            initialParameters={props.initialParameters}
            onCancel={onClose}
            onStarted={run =>
              navigate(
                `${runRoute({ id: run.id })}${
                  returnTo ? `?${new URLSearchParams({ from: returnTo })}` : ''
                }`,
              )
            }
          />
        )}
      </DialogContent>
    </Dialog>
  );
}
