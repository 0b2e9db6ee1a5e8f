import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { AapExecutor } from './AapExecutor';

/**
 * The `aap` runbook executor: launches AWX / Ansible Automation Platform job
 * templates. Config: `runbooks.aap` (`baseUrl`, `token`, optional `apiPath`,
 * `ca`, `pollIntervalMs`, `retries`); without it the executor is not added.
 * @public
 */
export const runbooksModuleAap = createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'aap',
  register(reg) {
    reg.registerInit({
      deps: {
        runbooks: runbooksExecutorsExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ runbooks, config, logger }) {
        if (!config.has('runbooks.aap')) {
          logger.info(
            'runbooks.aap is not configured: the aap executor is not available',
          );
          return;
        }
        runbooks.addExecutor(AapExecutor.fromConfig(config));
      },
    });
  },
});
