export { RunbookLauncher, toEntityRefs } from './RunbookLauncher';
export type { RunbookLauncherProps } from './RunbookLauncher';
export { planTargets } from './planTargets';
export type { ExcludedTarget } from './planTargets';
