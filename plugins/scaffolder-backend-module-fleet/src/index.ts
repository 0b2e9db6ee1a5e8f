import { createBackendModule } from '@backstage/backend-plugin-api';

/** Placeholder until the module lands. */
export default createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'fleet',
  register(reg) {
    reg.registerInit({ deps: {}, async init() {} });
  },
});
