import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import {
  DeploymentPullSource,
  PulledDeployment,
} from '@fleetdeck/plugin-deployments-node';
import { existsSync, statSync } from 'fs';
import { readdir, readFile } from 'fs/promises';
import { join } from 'path';

/**
 * Reads deployments from JSON files (an array, or `{ "deployments": [...] }`;
 * a directory stands for the `.json` files in it),
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
    for (const path of await this.files()) {
      const data = JSON.parse(await readFile(path, 'utf8'));
      const items = Array.isArray(data) ? data : data?.deployments;
      if (!Array.isArray(items)) {
        throw new Error(
          `${path} holds neither an array nor { "deployments": [...] }`,
        );
      }
      all.push(...items);
    }
    return all;
  }

  private async files(): Promise<string[]> {
    const files: string[] = [];
    for (const path of this.paths) {
      if (!existsSync(path)) continue;
      if (statSync(path).isDirectory()) {
        const names = (await readdir(path))
          .filter(n => n.endsWith('.json'))
          .sort();
        files.push(...names.map(n => join(path, n)));
      } else {
        files.push(path);
      }
    }
    return files;
  }
}
