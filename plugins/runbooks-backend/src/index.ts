import { createBackendPlugin } from '@backstage/backend-plugin-api';

/** Placeholder until the plugin lands. */
export default createBackendPlugin({
  pluginId: 'runbooks',
  register(env) {
    env.registerInit({ deps: {}, async init() {} });
  },
});
