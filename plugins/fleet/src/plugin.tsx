import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import StorageIcon from '@material-ui/icons/Storage';
import { isClusterEntity } from '@fleetdeck/plugin-fleet-common';
import { dependsOnClusters, isGroupKind } from './filters';
import { fleetRouteRef } from './routes';

const fleetPage = PageBlueprint.make({
  params: {
    path: '/fleet',
    title: 'Fleet',
    icon: <StorageIcon />,
    routeRef: convertLegacyRouteRef(fleetRouteRef),
    loader: () =>
      import('./components/FleetPage/FleetPage').then(m =>
        compatWrapper(<m.FleetPage />),
      ),
  },
});

const clusterOverviewCard = EntityCardBlueprint.make({
  name: 'cluster-overview',
  params: {
    filter: isClusterEntity,
    loader: () =>
      import('./components/ClusterOverviewCard/ClusterOverviewCard').then(m =>
        compatWrapper(<m.ClusterOverviewCard />),
      ),
  },
});

// The stock Labels card cuts long keys; app-config.yaml hides it on Clusters.
const clusterLabelsCard = EntityCardBlueprint.make({
  name: 'cluster-labels',
  params: {
    type: 'info',
    filter: isClusterEntity,
    loader: () =>
      import('./components/ClusterLabelsCard/ClusterLabelsCard').then(m =>
        compatWrapper(<m.ClusterLabelsCard />),
      ),
  },
});

const clustersOwnedCard = EntityCardBlueprint.make({
  name: 'clusters-owned',
  params: {
    filter: isGroupKind,
    loader: () =>
      import('./components/ClustersOwnedCard/ClustersOwnedCard').then(m =>
        compatWrapper(<m.ClustersOwnedCard />),
      ),
  },
});

const dependencyClustersCard = EntityCardBlueprint.make({
  name: 'dependency-clusters',
  params: {
    filter: dependsOnClusters,
    loader: () =>
      import('./components/DependencyClustersCard/DependencyClustersCard').then(
        m => compatWrapper(<m.DependencyClustersCard />),
      ),
  },
});

/**
 * The Fleet plugin (new frontend system): the Fleet page in the sidebar, the
 * Cluster overview card on Cluster pages, "Clusters owned" on Group pages and
 * the clusters a Component depends on.
 * @public
 */
export const fleetPlugin = createFrontendPlugin({
  pluginId: 'fleet',
  routes: { root: convertLegacyRouteRef(fleetRouteRef) },
  extensions: [
    fleetPage,
    clusterOverviewCard,
    clusterLabelsCard,
    clustersOwnedCard,
    dependencyClustersCard,
  ],
});
