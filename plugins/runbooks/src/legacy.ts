/**
 * The runbooks plugin for apps on the legacy frontend system.
 *
 * @packageDocumentation
 */
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import {
  RunbooksClient,
  runbooksApiRef,
  runbookRunRouteRef,
  runbooksRouteRef,
} from '@fleetdeck/plugin-runbooks-react';

/** The runbooks plugin (legacy frontend system). @public */
export const runbooksPlugin = createPlugin({
  id: 'runbooks',
  apis: [
    createApiFactory({
      api: runbooksApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new RunbooksClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: runbooksRouteRef, run: runbookRunRouteRef },
});

/** The Runbooks page with the run page under it; mount at `/runbooks`. @public */
export const RunbooksPage = runbooksPlugin.provide(
  createRoutableExtension({
    name: 'RunbooksPage',
    component: () => import('./components/Router').then(m => m.Router),
    mountPoint: runbooksRouteRef,
  }),
);

/** The Runbooks tab content of an entity page. @public */
export const EntityRunbooksContent = runbooksPlugin.provide(
  createComponentExtension({
    name: 'EntityRunbooksContent',
    component: {
      lazy: () =>
        import('./components/EntityRunbooksContent/EntityRunbooksContent').then(
          m => m.EntityRunbooksContent,
        ),
    },
  }),
);

/** The last maintenance per runbook, for Cluster overview pages. @public */
export const EntityLastMaintenanceCard = runbooksPlugin.provide(
  createComponentExtension({
    name: 'EntityLastMaintenanceCard',
    component: {
      lazy: () =>
        import('./components/LastMaintenanceCard/LastMaintenanceCard').then(
          m => m.LastMaintenanceCard,
        ),
    },
  }),
);

export { isRunbookTarget } from './filters';
export { isClusterEntity } from '@fleetdeck/plugin-fleet-common';
