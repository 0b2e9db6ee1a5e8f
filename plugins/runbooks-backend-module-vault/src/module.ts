import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { VaultExecutor } from './VaultExecutor';

/**
 * The `vault` runbook executor. Config: `vault` (Vault's address and the
 * portal's login), `runbooks.vault.writablePaths` (KV path prefixes steps
 * may write) and `runbooks.vault.pkiRoles` (PKI issue paths steps may use);
 * absent, steps may write nowhere and issue nothing.
 * @public
 */
export const runbooksModuleVault = createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'vault',
  register(reg) {
    reg.registerInit({
      deps: {
        runbooks: runbooksExecutorsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ runbooks, config }) {
        runbooks.addExecutor(VaultExecutor.fromConfig(config));
      },
    });
  },
});
