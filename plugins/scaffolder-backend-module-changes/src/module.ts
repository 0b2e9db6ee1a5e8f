import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createChangesCreateAction } from './actions/createChange';

/**
 * Adds `fleetdeck:changes:create` to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleChanges = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'changes',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ scaffolder, auth, discovery }) {
        scaffolder.addActions(createChangesCreateAction({ auth, discovery }));
      },
    });
  },
});
