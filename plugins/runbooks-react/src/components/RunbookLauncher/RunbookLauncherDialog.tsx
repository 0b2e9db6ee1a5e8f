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
}

/**
 * The {@link RunbookLauncher} in a dialog that opens the run page of the
 * started run: what a list page (the Fleet page) embeds for "Run runbook".
 * @public
 */
export function RunbookLauncherDialog(props: RunbookLauncherDialogProps) {
  const { open, entityRefs, onClose } = props;
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
            onCancel={onClose}
            onStarted={run => navigate(runRoute({ id: run.id }))}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}
