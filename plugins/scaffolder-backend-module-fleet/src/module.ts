import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createGitopsRegisterAction } from './actions/gitopsRegister';
import { createPublishGitAction } from './actions/publishGit';
import { createServicePreflightAction } from './actions/servicePreflight';
import { GitServers } from './git/GitServers';

/**
 * Fleetdeck's scaffolder actions: `publish:git`, `fleetdeck:gitops:register`
 * and `fleetdeck:service:preflight`.
 *
 * @public
 */
export const scaffolderModuleFleet = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'fleet',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        discovery: coreServices.discovery,
        auditor: coreServices.auditor,
      },
      async init({ scaffolder, config, catalog, discovery, auditor }) {
        const servers = GitServers.fromConfig(config);
        const integrations = ScmIntegrations.fromConfig(config);
        scaffolder.addActions(
          createServicePreflightAction({ config, servers, catalog, discovery }),
          createPublishGitAction({ config, servers, auditor }),
          createGitopsRegisterAction({
            config,
            servers,
            integrations,
            auditor,
          }),
        );
      },
    });
  },
});
