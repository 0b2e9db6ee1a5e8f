import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { DEFAULT_ENVIRONMENTS } from '@fleetdeck/plugin-deployments-common';
import { join, resolve } from 'path';

/** The `deployments:` section of app-config, with defaults applied. */
export interface DeploymentsConfig {
  environments: string[];
  productionEnvironment: string;
  cacheDir: string;
  maxCommits: number;
  syncSchedule: SchedulerServiceTaskScheduleDefinition;
  importFiles?: {
    paths: string[];
    schedule: SchedulerServiceTaskScheduleDefinition;
  };
}

/** Reads the `deployments:` config section. */
export function readDeploymentsConfig(config: Config): DeploymentsConfig {
  const c = config.getOptionalConfig('deployments');
  const environments =
    c?.getOptionalStringArray('environments') ?? DEFAULT_ENVIRONMENTS;
  const productionEnvironment =
    c?.getOptionalString('productionEnvironment') ??
    environments[environments.length - 1];
  if (!environments.includes(productionEnvironment)) {
    throw new InputError(
      `deployments.productionEnvironment '${productionEnvironment}' is not one of deployments.environments`,
    );
  }
  const dataDir = process.env.FLEETDECK_DATA_DIR;
  const cacheDir = resolve(
    c?.getOptionalString('git.cacheDir') ??
      (dataDir
        ? join(dataDir, 'git-mirrors')
        : join(process.cwd(), '.fleetdeck', 'git-mirrors')),
  );
  const sync = c?.getOptionalConfig('git.syncSchedule');
  const files = c?.getOptionalConfig('importFiles');
  return {
    environments,
    productionEnvironment,
    cacheDir,
    maxCommits: c?.getOptionalNumber('git.maxCommits') ?? 50_000,
    syncSchedule: sync
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(sync)
      : {
          frequency: { minutes: 30 },
          timeout: { minutes: 30 },
          initialDelay: { seconds: 30 },
        },
    importFiles: files
      ? {
          paths: files.getStringArray('paths').map(p => resolve(p)),
          schedule: files.has('schedule')
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                files.getConfig('schedule'),
              )
            : { frequency: { minutes: 1 }, timeout: { minutes: 5 } },
        }
      : undefined,
  };
}
