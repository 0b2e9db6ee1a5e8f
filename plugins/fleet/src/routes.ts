import { createRouteRef } from '@backstage/core-plugin-api';

/** The Fleet page. */
export const fleetRouteRef = createRouteRef({ id: 'fleet' });
