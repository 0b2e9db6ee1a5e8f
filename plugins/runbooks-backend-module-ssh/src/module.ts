import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { SshExecutor } from './SshExecutor';

/**
 * The `ssh` runbook executor. Config: `runbooks.ssh.user`, `.port`,
 * `.privateKey` (PEM/OpenSSH key, e.g. from an environment variable),
 * `.passphrase`, `.hostKeyFingerprints` (SHA256:...), `.allowUnknownHostKeys`.
 * Without a private key the executor is not installed.
 * @public
 */
export const runbooksModuleSsh = createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'ssh',
  register(reg) {
    reg.registerInit({
      deps: {
        runbooks: runbooksExecutorsExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ runbooks, config, logger }) {
        const ssh = config.getOptionalConfig('runbooks.ssh');
        const privateKey = ssh?.getOptionalString('privateKey');
        if (!ssh || !privateKey) {
          logger.info(
            'runbooks.ssh.privateKey is not set: the ssh executor is not installed',
          );
          return;
        }
        runbooks.addExecutor(
          new SshExecutor({
            user: ssh.getString('user'),
            port: ssh.getOptionalNumber('port'),
            privateKey,
            passphrase: ssh.getOptionalString('passphrase'),
            hostKeyFingerprints: ssh.getOptionalStringArray(
              'hostKeyFingerprints',
            ),
            allowUnknownHostKeys: ssh.getOptionalBoolean(
              'allowUnknownHostKeys',
            ),
          }),
        );
      },
    });
  },
});
