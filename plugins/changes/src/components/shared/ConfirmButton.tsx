import Button, { ButtonProps } from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import { ReactNode, useState } from 'react';

/** Props of {@link ConfirmButton}. */
export interface ConfirmButtonProps {
  /** The button's text, also the dialog's confirm button. */
  label: string;
  /** What will happen, in the dialog. */
  question: ReactNode;
  onConfirm(): void;
  disabled?: boolean;
  variant?: ButtonProps['variant'];
  color?: ButtonProps['color'];
  size?: ButtonProps['size'];
  startIcon?: ReactNode;
}

/** A button that asks before it acts: everything it does reaches many repositories. */
export function ConfirmButton(props: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant={props.variant ?? 'outlined'}
        color={props.color}
        size={props.size}
        disabled={props.disabled}
        startIcon={props.startIcon}
        onClick={() => setOpen(true)}
      >
        {props.label}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)}>
        <DialogTitle>{props.label}?</DialogTitle>
        <DialogContent>
          <DialogContentText component="div">
            {props.question}
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Back</Button>
          <Button
            color="primary"
            variant="contained"
            onClick={() => {
              setOpen(false);
              props.onConfirm();
            }}
          >
            {props.label}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
