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
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import CompareArrowsIcon from '@material-ui/icons/CompareArrows';
import { deploymentsApiRef } from './api/DeploymentsApi';
import { DeploymentsClient } from './api/DeploymentsClient';
import { isComponent } from './filters';
import { driftRouteRef } from './routes';

const deploymentsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deploymentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentsClient({ discoveryApi, fetchApi }),
    }),
});

const driftPage = PageBlueprint.make({
  params: {
    path: '/deployments',
    title: 'Drift',
    icon: <CompareArrowsIcon />,
    routeRef: convertLegacyRouteRef(driftRouteRef),
    loader: () =>
      import('./components/DriftPage/DriftPage').then(m =>
        compatWrapper(<m.DriftPage />),
      ),
  },
});

const entityDeploymentsContent = EntityContentBlueprint.make({
  params: {
    path: 'deployments',
    title: 'Deployments',
    filter: isComponent,
    loader: () =>
      import(
        './components/EntityDeploymentsContent/EntityDeploymentsContent'
      ).then(m => compatWrapper(<m.EntityDeploymentsContent />)),
  },
});

/**
 * Deployments (new frontend system): the Deployments tab on Components and
 * the Drift page in the sidebar.
 * @public
 */
export const deploymentsPlugin = createFrontendPlugin({
  pluginId: 'deployments',
  routes: { drift: convertLegacyRouteRef(driftRouteRef) },
  extensions: [deploymentsApi, driftPage, entityDeploymentsContent],
});
