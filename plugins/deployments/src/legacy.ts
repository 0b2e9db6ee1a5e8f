import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { deploymentsApiRef } from './api/DeploymentsApi';
import { DeploymentsClient } from './api/DeploymentsClient';
import { driftRouteRef } from './routes';

export { isComponent } from './filters';
export { driftRouteRef } from './routes';
export { deploymentsApiRef, type DeploymentsApi } from './api/DeploymentsApi';
export { DeploymentsClient } from './api/DeploymentsClient';

/** The deployments plugin for apps on the legacy frontend system. */
export const deploymentsPlugin = createPlugin({
  id: 'deployments',
  routes: { drift: driftRouteRef },
  apis: [
    createApiFactory({
      api: deploymentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentsClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/** The drift page: mount it at a route, e.g. `<Route path="/deployments" element={<DriftPage />} />`. */
export const DriftPage = deploymentsPlugin.provide(
  createRoutableExtension({
    name: 'DriftPage',
    component: () =>
      import('./components/DriftPage/DriftPage').then(m => m.DriftPage),
    mountPoint: driftRouteRef,
  }),
);

/** The Deployments tab for Component pages, e.g. `<EntityLayout.Route path="/deployments" title="Deployments">`. */
export const EntityDeploymentsContent = deploymentsPlugin.provide(
  createComponentExtension({
    name: 'EntityDeploymentsContent',
    component: {
      lazy: () =>
        import(
          './components/EntityDeploymentsContent/EntityDeploymentsContent'
        ).then(m => m.EntityDeploymentsContent),
    },
  }),
);
