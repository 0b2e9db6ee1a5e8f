/**
 * The changes plugin for apps on the legacy frontend system.
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
import { changesApiRef } from './api/ChangesApi';
import { ChangesClient } from './api/ChangesClient';
import {
  changeRouteRef,
  changesRouteRef,
  changesSearchRouteRef,
  newChangeRouteRef,
} from './routes';

/** The changes plugin (legacy frontend system). @public */
export const changesPlugin = createPlugin({
  id: 'changes',
  apis: [
    createApiFactory({
      api: changesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ChangesClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: changesRouteRef,
    search: changesSearchRouteRef,
    newChange: newChangeRouteRef,
    change: changeRouteRef,
  },
});

/**
 * The Changes page with search, the new-change form and each change's
 * tracking page under it; mount it with
 * `<Route path="/changes" element={<ChangesPage />} />`. @public
 */
export const ChangesPage = changesPlugin.provide(
  createRoutableExtension({
    name: 'ChangesPage',
    component: () => import('./components/Router').then(m => m.Router),
    mountPoint: changesRouteRef,
  }),
);

/** The open changes of a Component, for its overview page. @public */
export const EntityChangesCard = changesPlugin.provide(
  createComponentExtension({
    name: 'EntityChangesCard',
    component: {
      lazy: () =>
        import('./components/EntityChangesCard/EntityChangesCard').then(
          m => m.EntityChangesCard,
        ),
    },
  }),
);

export { isComponent } from './filters';
export {
  changeRouteRef,
  changesRouteRef,
  changesSearchRouteRef,
  newChangeRouteRef,
} from './routes';
export * from './api';
