import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Repository } from '@fleetdeck/fleetdeck-node';
import { SearchResponse } from '@fleetdeck/plugin-changes-common';
import { SearchTarget } from './CodeSearch';

/** Entities turned into search targets, and those that could not be, with why. */
export interface SearchTargets {
  targets: SearchTarget[];
  failed: SearchResponse['failed'];
}

/**
 * The search targets of catalog entities: each entity with its repository
 * (through the resolver, so behind its SSRF allow-list), title, owner and
 * system refs. An entity whose repository cannot be resolved is in `failed`
 * with the reason, not dropped. Permissions are the caller's: pass only the
 * entities the user may read, as fetched from the catalog with the user's
 * credentials.
 */
export function searchTargets(
  entities: Entity[],
  resolver: { resolve(entity: Entity): Repository },
): SearchTargets {
  const result: SearchTargets = { targets: [], failed: [] };
  for (const entity of entities) {
    const entityRef = stringifyEntityRef(entity);
    let repository: Repository;
    try {
      repository = resolver.resolve(entity);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      result.failed.push({ entityRef, message });
      continue;
    }
    const namespace = entity.metadata.namespace;
    result.targets.push({
      entityRef,
      title: entity.metadata.title,
      owner: refOf(entity.spec?.owner, 'group', namespace),
      system: refOf(entity.spec?.system, 'system', namespace),
      repository,
    });
  }
  return result;
}

/** A full entity ref from a spec field (`payments` → `group:default/payments`). */
function refOf(
  value: unknown,
  defaultKind: string,
  defaultNamespace?: string,
): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultKind, defaultNamespace }),
    );
  } catch {
    return value;
  }
}
