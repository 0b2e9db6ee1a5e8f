import { createBackendPlugin } from '@backstage/backend-plugin-api';

/** Placeholder until the plugin lands. */
export default createBackendPlugin({
  pluginId: 'deployments',
  register(env) {
    env.registerInit({ deps: {}, async init() {} });
  },
});
