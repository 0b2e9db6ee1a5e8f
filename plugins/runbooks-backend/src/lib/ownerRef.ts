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

/**
 * A runbook's approver groups as full refs: `sre` in the runbook's namespace
 * is `group:<namespace>/sre`, like its owner. A ref that cannot be parsed is
 * kept (lower case), so it matches nobody instead of failing the run.
 */
export function approverRefs(
  approvers: unknown,
  namespace = 'default',
): string[] | undefined {
  if (!Array.isArray(approvers)) return undefined;
  return approvers.map(a => {
    try {
      return ownerRef(String(a), namespace);
    } catch {
      return String(a).toLocaleLowerCase('en-US');
    }
  });
}
