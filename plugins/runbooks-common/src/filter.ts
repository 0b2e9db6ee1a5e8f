import { Entity } from '@backstage/catalog-model';
import { RunbookEntityFilter } from './entity';

function valuesAt(entity: Entity, path: string): string[] {
  let current: unknown[] = [entity];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        if (Object.prototype.hasOwnProperty.call(value, part)) {
          const found = (value as Record<string, unknown>)[part];
          if (Array.isArray(found)) next.push(...found);
          else next.push(found);
        }
      }
    }
    current = next;
  }
  return current
    .filter(v => ['string', 'number', 'boolean'].includes(typeof v))
    .map(v => String(v).toLocaleLowerCase('en-US'));
}

/**
 * Why an entity falls outside a filter (one message per failed field), or an
 * empty list when it matches. Matching is case-insensitive, like the catalog's.
 * @public
 */
export function explainFilterMismatch(
  entity: Entity,
  filter: RunbookEntityFilter,
): string[] {
  const reasons: string[] = [];
  for (const [key, expected] of Object.entries(filter)) {
    const wanted = (Array.isArray(expected) ? expected : [expected]).map(v =>
      v.toLocaleLowerCase('en-US'),
    );
    const actual = valuesAt(entity, key);
    if (!actual.some(v => wanted.includes(v))) {
      reasons.push(
        `${key} is ${
          actual.length ? actual.join(', ') : 'not set'
        }, not ${wanted.join(' or ')}`,
      );
    }
  }
  return reasons;
}

/** Whether an entity matches a runbook filter. @public */
export function entityMatchesFilter(
  entity: Entity,
  filter: RunbookEntityFilter,
): boolean {
  return explainFilterMismatch(entity, filter).length === 0;
}

/** The filter as a catalog `getEntities` filter (same keys, same semantics). @public */
export function toCatalogFilter(filter: RunbookEntityFilter) {
  return Object.fromEntries(
    Object.entries(filter).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
  );
}
