import { createFrontendPlugin } from '@backstage/frontend-plugin-api';

/** Placeholder until the plugin lands. */
export default createFrontendPlugin({
  pluginId: 'deployments',
  extensions: [],
});
