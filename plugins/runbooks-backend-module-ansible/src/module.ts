import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { AnsibleExecutor } from './AnsibleExecutor';
import { resolveRunAs } from './runAs';

/**
 * The `ansible` runbook executor. Config (all optional):
 * `runbooks.ansible.command`, `runbooks.ansible.inventoryVars` (e.g.
 * `ansible_user`), `runbooks.ansible.env`, `runbooks.ansible.runAs` (the OS
 * user ansible-playbook runs as when the backend runs as root).
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
        logger: coreServices.logger,
      },
      async init({ runbooks, config, urlReader, logger }) {
        const ansible = config.getOptionalConfig('runbooks.ansible');
        const runAs = await resolveRunAs({
          runAs: ansible?.getOptionalString('runAs'),
          logger,
          currentUid: process.getuid?.(),
        });
        runbooks.addExecutor(
          new AnsibleExecutor({
            urlReader,
            command: ansible?.getOptionalString('command'),
            inventoryVars: ansible?.getOptional('inventoryVars'),
            env: ansible?.getOptional('env'),
            runAs,
          }),
        );
      },
    });
  },
});
