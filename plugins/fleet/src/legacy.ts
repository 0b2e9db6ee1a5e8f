import {
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
} from '@backstage/core-plugin-api';
import { fleetRouteRef } from './routes';

export { isGroupKind, dependsOnClusters } from './filters';
export { isClusterEntity } from '@fleetdeck/plugin-fleet-common';
export { fleetRouteRef } from './routes';

/** The Fleet plugin for apps on the legacy frontend system. */
export const fleetPlugin = createPlugin({
  id: 'fleet',
  routes: { root: fleetRouteRef },
});

/** The Fleet page: mount it at a route, e.g. `<Route path="/fleet" element={<FleetPage />} />`. */
export const FleetPage = fleetPlugin.provide(
  createRoutableExtension({
    name: 'FleetPage',
    component: () =>
      import('./components/FleetPage/FleetPage').then(m => m.FleetPage),
    mountPoint: fleetRouteRef,
  }),
);

/** Cluster overview card for Cluster entity pages. */
export const EntityClusterOverviewCard = fleetPlugin.provide(
  createComponentExtension({
    name: 'EntityClusterOverviewCard',
    component: {
      lazy: () =>
        import('./components/ClusterOverviewCard/ClusterOverviewCard').then(
          m => m.ClusterOverviewCard,
        ),
    },
  }),
);

/** "Clusters owned" card for Group entity pages. */
export const EntityClustersOwnedCard = fleetPlugin.provide(
  createComponentExtension({
    name: 'EntityClustersOwnedCard',
    component: {
      lazy: () =>
        import('./components/ClustersOwnedCard/ClustersOwnedCard').then(
          m => m.ClustersOwnedCard,
        ),
    },
  }),
);

/** The clusters a Component depends on, for Component entity pages. */
export const EntityDependencyClustersCard = fleetPlugin.provide(
  createComponentExtension({
    name: 'EntityDependencyClustersCard',
    component: {
      lazy: () =>
        import(
          './components/DependencyClustersCard/DependencyClustersCard'
        ).then(m => m.DependencyClustersCard),
    },
  }),
);
