import { createBackendModule } from '@backstage/backend-plugin-api';

/** Placeholder until the module lands. */
export default createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'ansible',
  register(reg) {
    reg.registerInit({ deps: {}, async init() {} });
  },
});
