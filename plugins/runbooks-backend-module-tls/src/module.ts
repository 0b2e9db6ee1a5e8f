import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { TlsExecutor } from './TlsExecutor';

/**
 * The `tls` runbook executor. Config: `runbooks.tls.minDaysLeft` (default
 * 14), `runbooks.tls.ca` (extra PEM CA certificates to trust).
 * @public
 */
export const runbooksModuleTls = createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'tls',
  register(reg) {
    reg.registerInit({
      deps: {
        runbooks: runbooksExecutorsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ runbooks, config }) {
        runbooks.addExecutor(
          new TlsExecutor({
            minDaysLeft: config.getOptionalNumber('runbooks.tls.minDaysLeft'),
            ca: config.getOptionalStringArray('runbooks.tls.ca'),
          }),
        );
      },
    });
  },
});
