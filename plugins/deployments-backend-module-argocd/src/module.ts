import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { deploymentsPullSourcesExtensionPoint } from '@fleetdeck/plugin-deployments-node';
import { ArgoCdPullSource } from './ArgoCdPullSource';

/** Adds Argo CD (`deployments.argocd` in app-config) as a deployments pull source. */
export const deploymentsModuleArgoCd = createBackendModule({
  pluginId: 'deployments',
  moduleId: 'argocd',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        sources: deploymentsPullSourcesExtensionPoint,
      },
      async init({ config, logger, sources }) {
        const source = ArgoCdPullSource.fromConfig(config, logger);
        if (!source) {
          logger.info(
            'No deployments.argocd config; the Argo CD pull source is off',
          );
          return;
        }
        sources.addPullSource(source);
      },
    });
  },
});
