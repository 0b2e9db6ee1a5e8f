import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { DeploymentPullSource, PulledDeployment } from '@fleetdeck/plugin-deployments-node';
import { existsSync } from 'fs';
import { readFile } from 'fs/promises';

/**
 * Reads deployments from JSON files (an array, or `{ "deployments": [...] }`),
 * for deployment tools that can write a file but not call an API, and for the
 * demo, whose repositories and deployments are made before the backend runs.
 */
export class FileDeploymentSource implements DeploymentPullSource {
  readonly id = 'file';

  constructor(
    private readonly paths: string[],
    readonly schedule: SchedulerServiceTaskScheduleDefinition,
  ) {}

  async pull(): Promise<PulledDeployment[]> {
    const all: PulledDeployment[] = [];
    for (const path of this.paths) {
      if (!existsSync(path)) continue;
      const data = JSON.parse(await readFile(path, 'utf8'));
      const items = Array.isArray(data) ? data : data?.deployments;
      if (!Array.isArray(items)) {
        throw new Error(`${path} holds neither an array nor { "deployments": [...] }`);
      }
      all.push(...items);
    }
    return all;
  }
}
