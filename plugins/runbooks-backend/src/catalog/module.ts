import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { RunbookEntityProcessor } from './RunbookEntityProcessor';
import { SecretScopes } from '../trust/SecretScopes';

/**
 * Teaches the catalog the Runbook kind. It ships with the runbooks backend
 * (not as a separate package) because the kind's validation must always match
 * what this engine executes; install it next to the plugin.
 * @public
 */
export const catalogModuleRunbookKind = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'runbook-kind',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ catalog, config }) {
        // a runbook that names a secret outside its scope is refused here
        // already, with the reason on its location
        catalog.addProcessor(
          new RunbookEntityProcessor({
            secrets: SecretScopes.fromConfig(config),
          }),
        );
      },
    });
  },
});
