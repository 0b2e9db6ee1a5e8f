import {
  ChangeRepositoryState,
  ChangeState,
  ChecksState,
} from '@fleetdeck/plugin-changes-common';

/** How a state reads and which colour it has, everywhere in the plugin. */
export interface StateStyle {
  label: string;
  color: string;
}

/**
 * Repository states in the order the counts bar and its legend show them:
 * done first, then what needs a look, then what is in flight or idle.
 */
export const repositoryStateOrder: ChangeRepositoryState[] = [
  'merged',
  'pr_open',
  'pushed',
  'failed',
  'awaiting_approval',
  'previewed',
  'applying',
  'queued',
  'pending',
  'no_change',
  'closed',
];

// merged purple, open/pushed blue, failed red, no change grey, pending light:
// the colours people know from their git host.
export const repositoryStateStyles: Record<ChangeRepositoryState, StateStyle> =
  {
    merged: { label: 'Merged', color: '#8250df' },
    pr_open: { label: 'PR open', color: '#1f6feb' },
    pushed: { label: 'Pushed', color: '#54aeff' },
    failed: { label: 'Failed', color: '#cf222e' },
    awaiting_approval: { label: 'Awaiting approval', color: '#d4a72c' },
    previewed: { label: 'Previewed', color: '#1b7c83' },
    applying: { label: 'Applying', color: '#9ecbff' },
    queued: { label: 'Queued', color: '#c8d1da' },
    pending: { label: 'Pending', color: '#e1e6eb' },
    no_change: { label: 'No change', color: '#8c959f' },
    closed: { label: 'Closed', color: '#57606a' },
  };

export const changeStateStyles: Record<ChangeState, StateStyle> = {
  previewing: { label: 'Previewing', color: '#c8d1da' },
  ready: { label: 'Ready to apply', color: '#1b7c83' },
  applying: { label: 'Applying', color: '#1f6feb' },
  applied: { label: 'Applied', color: '#8250df' },
  closed: { label: 'Closed', color: '#57606a' },
};

export const checksStyles: Record<ChecksState, StateStyle> = {
  passing: { label: 'Checks passing', color: '#1a7f37' },
  failing: { label: 'Checks failing', color: '#cf222e' },
  pending: { label: 'Checks running', color: '#d4a72c' },
};

/** A change whose state still moves on its own; its page polls while so. */
export const isSettling = (state: ChangeState) =>
  state === 'previewing' || state === 'applying';
