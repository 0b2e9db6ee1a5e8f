import { createBackendModule } from '@backstage/backend-plugin-api';

/** Placeholder until the module lands. */
export default createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'ssh',
  register(reg) {
    reg.registerInit({ deps: {}, async init() {} });
  },
});
