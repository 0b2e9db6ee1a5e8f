import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createRunRunbookAction } from './createRunRunbookAction';

/** Adds the `runbooks:run` action to the scaffolder. @public */
export const scaffolderModuleRunbooks = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'runbooks',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ scaffolder, auth, discovery }) {
        scaffolder.addActions(createRunRunbookAction({ auth, discovery }));
      },
    });
  },
});
