import { Entity } from '@backstage/catalog-model';

/** The Changes card shows on Components (they have the repositories). */
export const isComponent = (entity: Entity) =>
  entity.kind.toLocaleLowerCase('en-US') === 'component';
