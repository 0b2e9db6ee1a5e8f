import {
  createExtensionPoint,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { DeploymentInput } from '@fleetdeck/plugin-deployments-common';

/** A deployment as a pull source reports it; recorded like an API call. */
export type PulledDeployment = DeploymentInput;

/**
 * A source the deployments backend polls for deployments, on the source's
 * schedule. Reports are idempotent on (entity, environment, SHA, time), so a
 * source may report the same deployment on every run.
 */
export interface DeploymentPullSource {
  /** Unique id, used for the scheduled task and as the records' `source`. */
  readonly id: string;
  /** How often to poll. */
  readonly schedule: SchedulerServiceTaskScheduleDefinition;
  /** Returns the deployments the source knows about now. */
  pull(options: { signal?: AbortSignal }): Promise<PulledDeployment[]>;
}

/** Adds pull sources to the deployments backend. */
export interface DeploymentsPullSourcesExtensionPoint {
  addPullSource(...sources: DeploymentPullSource[]): void;
}

/** Extension point `deployments.pull-sources`. */
export const deploymentsPullSourcesExtensionPoint =
  createExtensionPoint<DeploymentsPullSourcesExtensionPoint>({
    id: 'deployments.pull-sources',
  });
