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
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import CallSplitIcon from '@material-ui/icons/CallSplit';
import { changesApiRef } from './api/ChangesApi';
import { ChangesClient } from './api/ChangesClient';
import { isComponent } from './filters';
import {
  changeRouteRef,
  changesRouteRef,
  changesSearchRouteRef,
  newChangeRouteRef,
} from './routes';

const changesApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: changesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ChangesClient({ discoveryApi, fetchApi }),
    }),
});

// With a title and an icon the page is also the sidebar's "Changes" item
// (this version of the frontend system has no separate NavItemBlueprint).
const changesPage = PageBlueprint.make({
  params: {
    path: '/changes',
    title: 'Changes',
    icon: <CallSplitIcon />,
    routeRef: convertLegacyRouteRef(changesRouteRef),
    loader: () =>
      import('./components/Router').then(m => compatWrapper(<m.Router />)),
  },
});

const entityChangesCard = EntityCardBlueprint.make({
  name: 'changes',
  params: {
    filter: isComponent,
    loader: () =>
      import('./components/EntityChangesCard/EntityChangesCard').then(m =>
        compatWrapper(<m.EntityChangesCard />),
      ),
  },
});

/**
 * Fleet-wide changes (new frontend system): the Changes page in the sidebar
 * (code search, the changes, a new change, each change's tracking page) and
 * the Changes card on Component pages.
 * @public
 */
export const changesPlugin = createFrontendPlugin({
  pluginId: 'changes',
  routes: {
    root: convertLegacyRouteRef(changesRouteRef),
    search: convertLegacyRouteRef(changesSearchRouteRef),
    newChange: convertLegacyRouteRef(newChangeRouteRef),
    change: convertLegacyRouteRef(changeRouteRef),
  },
  extensions: [changesApi, changesPage, entityChangesCard],
});
