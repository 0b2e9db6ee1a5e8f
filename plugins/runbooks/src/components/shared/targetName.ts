import { parseEntityRef } from '@backstage/catalog-model';

/** A target's title, else its entity name (namespace only when not default). */
export function targetName(target: { title?: string; entityRef: string }) {
  if (target.title) return target.title;
  const ref = parseEntityRef(target.entityRef);
  return ref.namespace === 'default'
    ? ref.name
    : `${ref.namespace}/${ref.name}`;
}
