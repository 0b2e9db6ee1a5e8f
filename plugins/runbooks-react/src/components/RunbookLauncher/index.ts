export { RunbookLauncher, toEntityRefs } from './RunbookLauncher';
export type { RunbookLauncherProps } from './RunbookLauncher';
export { RunbookLauncherDialog } from './RunbookLauncherDialog';
export type { RunbookLauncherDialogProps } from './RunbookLauncherDialog';
export { planTargets } from './planTargets';
export type { ExcludedTarget } from './planTargets';
