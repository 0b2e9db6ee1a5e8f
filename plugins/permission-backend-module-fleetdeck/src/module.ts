import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { FleetdeckPermissionPolicy } from './FleetdeckPermissionPolicy';

/**
 * Installs {@link FleetdeckPermissionPolicy} as the permission backend's policy.
 *
 * @public
 */
export const permissionModuleFleetdeckPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'fleetdeck-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        policy: policyExtensionPoint,
      },
      async init({ config, policy }) {
        policy.setPolicy(FleetdeckPermissionPolicy.fromConfig(config));
      },
    });
  },
});
