import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { TlsExecutor } from './TlsExecutor';

/**
 * The `tls` runbook executor. Config: `runbooks.tls.allowedHosts` (host
 * names, `*.suffix`, IP addresses, CIDR ranges; absent or empty, no endpoint
 * is reached; loopback, link-local and private addresses only where an
 * address or range names them), `runbooks.tls.minDaysLeft` (default 14),
 * `runbooks.tls.ca` (extra PEM CA certificates to trust).
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
        runbooks.addExecutor(TlsExecutor.fromConfig(config));
      },
    });
  },
});
