import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The Runbooks page. @public */
export const runbooksRouteRef = createRouteRef({ id: 'runbooks' });

/** The page of one run, `/runbooks/runs/:id`. @public */
export const runbookRunRouteRef = createSubRouteRef({
  id: 'runbooks/run',
  parent: runbooksRouteRef,
  path: '/runs/:id',
});
