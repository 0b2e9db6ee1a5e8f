import { createPlugin } from '@backstage/core-plugin-api';

/** Placeholder until the plugin lands. */
export const runbooksPlugin = createPlugin({ id: 'runbooks' });
