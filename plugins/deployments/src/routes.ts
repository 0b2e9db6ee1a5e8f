import { createRouteRef } from '@backstage/core-plugin-api';

/** The drift page. */
export const driftRouteRef = createRouteRef({ id: 'deployments-drift' });
