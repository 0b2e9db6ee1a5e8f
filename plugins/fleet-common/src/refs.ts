import type { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** What a short ref leaves out: `sre` is `<defaultKind>:<defaultNamespace>/sre`. */
export interface EntityRefDefaults {
  defaultKind?: string;
  /** `default` if unset. */
  defaultNamespace?: string;
}

/**
 * A ref as written in a spec or a form (`sre`, `group:sre`,
 * `group:default/sre`) in full; the namespace is `default` unless given.
 * Throws, like `parseEntityRef`, for a ref that names no entity.
 */
export function toEntityRef(
  ref: string,
  defaults: EntityRefDefaults = {},
): CompoundEntityRef {
  return parseEntityRef(ref, {
    defaultKind: defaults.defaultKind,
    defaultNamespace: defaults.defaultNamespace ?? 'default',
  });
}

/** Like {@link toEntityRef}, but undefined for anything that is not a ref. */
export function tryParseEntityRef(
  ref: unknown,
  defaults: EntityRefDefaults = {},
): CompoundEntityRef | undefined {
  if (typeof ref !== 'string' || !ref) return undefined;
  try {
    return toEntityRef(ref, defaults);
  } catch {
    return undefined;
  }
}

/** The full `kind:namespace/name` form of a ref, or undefined for anything that is not a ref. */
export function fullEntityRef(
  ref: unknown,
  defaults: EntityRefDefaults = {},
): string | undefined {
  const parsed = tryParseEntityRef(ref, defaults);
  return parsed && stringifyEntityRef(parsed);
}

/** Whether two refs name the same entity (after defaults, ignoring case, as the catalog does). */
export function sameEntityRef(
  a: unknown,
  b: unknown,
  defaults: EntityRefDefaults = {},
): boolean {
  const x = fullEntityRef(a, defaults);
  return (
    x !== undefined &&
    x.toLocaleLowerCase('en-US') ===
      fullEntityRef(b, defaults)?.toLocaleLowerCase('en-US')
  );
}

/**
 * An owner in full and in lower case, as the catalog's ownership relations
 * and a user's ownership refs name it: `sre` in namespace `default` is
 * `group:default/sre`. Throws for a ref that names no entity.
 */
export function ownerRef(owner: string, namespace = 'default'): string {
  return stringifyEntityRef(
    toEntityRef(owner, { defaultKind: 'group', defaultNamespace: namespace }),
  ).toLocaleLowerCase('en-US');
}

/** Whether the entity is of `kind` (compared ignoring case, as the catalog does). */
export function isEntityKind(entity: Entity, kind: string): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === kind.toLocaleLowerCase('en-US')
  );
}
