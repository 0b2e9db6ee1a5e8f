import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { AnsibleExecutor } from './AnsibleExecutor';

/**
 * The `ansible` runbook executor. Config (all optional):
 * `runbooks.ansible.command`, `runbooks.ansible.inventoryVars` (e.g.
 * `ansible_user`), `runbooks.ansible.env`.
 * @public
 */
export const runbooksModuleAnsible = createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'ansible',
  register(reg) {
    reg.registerInit({
      deps: {
        runbooks: runbooksExecutorsExtensionPoint,
        config: coreServices.rootConfig,
        urlReader: coreServices.urlReader,
      },
      async init({ runbooks, config, urlReader }) {
        const ansible = config.getOptionalConfig('runbooks.ansible');
        runbooks.addExecutor(
          new AnsibleExecutor({
            urlReader,
            command: ansible?.getOptionalString('command'),
            inventoryVars: ansible?.getOptional('inventoryVars'),
            env: ansible?.getOptional('env'),
          }),
        );
      },
    });
  },
});
