import { createApiRef } from '@backstage/core-plugin-api';
import {
  ChangedFile,
  DeploymentDiff,
  DriftSummary,
  EntityDeploymentsOverview,
} from '@fleetdeck/plugin-deployments-common';

/** What the deployments frontend asks the deployments backend. */
export interface DeploymentsApi {
  getOverview(entityRef: string): Promise<EntityDeploymentsOverview>;
  getDiff(options: {
    entityRef: string;
    base: string;
    head: string;
    side?: 'ahead' | 'behind';
    offset?: number;
    limit?: number;
  }): Promise<DeploymentDiff>;
  getRangeFiles(options: {
    entityRef: string;
    base: string;
    head: string;
  }): Promise<ChangedFile[]>;
  getDrift(filter?: { owner?: string; system?: string }): Promise<DriftSummary>;
}

/** The deployments API. */
export const deploymentsApiRef = createApiRef<DeploymentsApi>({
  id: 'plugin.deployments.api',
});
