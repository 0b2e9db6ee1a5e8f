import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  RunbooksClient,
  runbooksApiRef,
  runbookRunRouteRef,
  runbooksRouteRef,
} from '@fleetdeck/plugin-runbooks-react';
import PlaylistPlayIcon from '@material-ui/icons/PlaylistPlay';
import { isClusterEntity } from '@fleetdeck/plugin-fleet-common';
import { isRunbookTarget } from './filters';

const runbooksApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: runbooksApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new RunbooksClient({ discoveryApi, fetchApi }),
    }),
});

const runbooksPage = PageBlueprint.make({
  params: {
    path: '/runbooks',
    title: 'Runbooks',
    icon: <PlaylistPlayIcon />,
    routeRef: convertLegacyRouteRef(runbooksRouteRef),
    loader: () =>
      import('./components/Router').then(m => compatWrapper(<m.Router />)),
  },
});

const entityRunbooksContent = EntityContentBlueprint.make({
  params: {
    path: 'runbooks',
    title: 'Runbooks',
    filter: isRunbookTarget,
    loader: () =>
      import('./components/EntityRunbooksContent/EntityRunbooksContent').then(
        m => compatWrapper(<m.EntityRunbooksContent />),
      ),
  },
});

const entityLastMaintenanceCard = EntityCardBlueprint.make({
  name: 'last-maintenance',
  params: {
    filter: isClusterEntity,
    loader: () =>
      import('./components/LastMaintenanceCard/LastMaintenanceCard').then(m =>
        compatWrapper(<m.LastMaintenanceCard />),
      ),
  },
});

/**
 * Runbooks in the portal (new frontend system): the Runbooks page with the run
 * page under it, the Runbooks tab on entity pages and the last-maintenance card
 * on Cluster pages.
 * @public
 */
export const runbooksPlugin = createFrontendPlugin({
  pluginId: 'runbooks',
  routes: {
    root: convertLegacyRouteRef(runbooksRouteRef),
    run: convertLegacyRouteRef(runbookRunRouteRef),
  },
  extensions: [
    runbooksApi,
    runbooksPage,
    entityRunbooksContent,
    entityLastMaintenanceCard,
  ],
});
