import { Entity } from '@backstage/catalog-model';

/** The Deployments tab shows on Components. */
export const isComponent = (entity: Entity) =>
  entity.kind.toLocaleLowerCase('en-US') === 'component';
