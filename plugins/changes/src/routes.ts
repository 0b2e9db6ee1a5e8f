import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The Changes page (the list of changes). @public */
export const changesRouteRef = createRouteRef({ id: 'changes' });

/** Code search, `/changes/search`. @public */
export const changesSearchRouteRef = createSubRouteRef({
  id: 'changes/search',
  parent: changesRouteRef,
  path: '/search',
});

/** The new-change form, `/changes/new`. @public */
export const newChangeRouteRef = createSubRouteRef({
  id: 'changes/new',
  parent: changesRouteRef,
  path: '/new',
});

/** One change's tracking page, `/changes/:id`. @public */
export const changeRouteRef = createSubRouteRef({
  id: 'changes/change',
  parent: changesRouteRef,
  path: '/:id',
});
