import {
  Entity,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ownerRef } from '@fleetdeck/plugin-fleet-common';

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * The owners of an entity as the catalog's `isEntityOwner` permission rule
 * (which keeps `runbooks.run` to a target's owners) sees them: the targets of
 * its `ownedBy` relations. Entities the catalog has not processed (no
 * `relations` at all) fall back to `spec.owner`, normalized as the catalog
 * processors do.
 */
export function entityOwners(entity: Entity): string[] {
  if (entity.relations) {
    return entity.relations
      .filter(r => r.type === RELATION_OWNED_BY)
      .map(r => lower(r.targetRef));
  }
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return [];
  try {
    return [ownerRef(owner, entity.metadata.namespace)];
  } catch {
    return [];
  }
}

/**
 * The schedule-owner rule: a schedule acts for its runbook's owner, so its
 * run gets the matching targets that owner owns, the same rule that keeps
 * `runbooks.run` to a target's owners when a person starts a run.
 */
export function splitByOwner(
  entities: Entity[],
  owner: string,
): { owned: Entity[]; skipped: string[] } {
  const owned: Entity[] = [];
  const skipped: string[] = [];
  for (const e of entities) {
    if (entityOwners(e).includes(owner)) owned.push(e);
    else skipped.push(stringifyEntityRef(e));
  }
  return { owned, skipped };
}
