import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/**
 * An owner ref in full (kind group and the entity's namespace by default),
 * lower case, as the catalog's ownership relations name it: `sre` in the
 * default namespace is `group:default/sre`.
 */
export function ownerRef(owner: string, namespace = 'default'): string {
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: namespace,
    }),
  ).toLocaleLowerCase('en-US');
}
