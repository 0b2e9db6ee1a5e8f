import { createPlugin } from '@backstage/core-plugin-api';

/** Placeholder until the plugin lands. */
export const fleetPlugin = createPlugin({ id: 'fleet' });
