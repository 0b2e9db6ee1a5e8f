import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { RunbookExecutor } from './executor';

/** Lets backend modules add runbook executors. @public */
export interface RunbooksExecutorsExtensionPoint {
  addExecutor(...executors: RunbookExecutor[]): void;
}

/** The extension point executors register with. @public */
export const runbooksExecutorsExtensionPoint =
  createExtensionPoint<RunbooksExecutorsExtensionPoint>({
    id: 'runbooks.executors',
  });
