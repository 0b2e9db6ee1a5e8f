import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { HttpExecutor } from './HttpExecutor';

/**
 * The `http` runbook executor. Config: `runbooks.http.allowedHosts` (host
 * names, `*.suffix`, IP addresses, CIDR ranges); loopback, link-local and
 * private addresses are reached only where an address or range names them;
 * absent or empty, every host is refused.
 * @public
 */
export const runbooksModuleHttp = createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'http',
  register(reg) {
    reg.registerInit({
      deps: {
        runbooks: runbooksExecutorsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ runbooks, config }) {
        runbooks.addExecutor(HttpExecutor.fromConfig(config));
      },
    });
  },
});
