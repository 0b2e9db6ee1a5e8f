import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EntityFilter } from '@fleetdeck/plugin-changes-common';

const FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  'metadata.annotations',
  'metadata.tags',
  'spec.lifecycle',
  'spec.owner',
  'spec.system',
  'relations',
];

/** Most entities one change or search may cover. */
export const MAX_TARGETS = 5000;

/**
 * The catalog entities a filter selects, read with the user's credentials:
 * the catalog's own permission checks leave out what the user may not read,
 * so a repository of such an entity is never searched or changed.
 */
export async function selectEntities(
  catalog: CatalogService,
  filter: EntityFilter,
  credentials: BackstageCredentials,
): Promise<Entity[]> {
  const kinds = filter.kind?.length ? filter.kind : ['Component'];
  const catalogFilter: Record<string, string[]> = { kind: kinds };
  if (filter.owner?.length) {
    catalogFilter['relations.ownedBy'] = filter.owner.map(r =>
      normalize(r, 'group'),
    );
  }
  if (filter.system?.length) {
    catalogFilter['relations.partOf'] = filter.system.map(r =>
      normalize(r, 'system'),
    );
  }
  if (filter.tag?.length) catalogFilter['metadata.tags'] = filter.tag;
  if (filter.lifecycle?.length)
    catalogFilter['spec.lifecycle'] = filter.lifecycle;

  let entities: Entity[];
  if (filter.entityRefs?.length) {
    const refs = [
      ...new Set(filter.entityRefs.map(r => normalize(r, 'component'))),
    ];
    const { items } = await catalog.getEntitiesByRefs(
      { entityRefs: refs, fields: FIELDS },
      { credentials },
    );
    entities = items
      .filter((e): e is Entity => !!e)
      .filter(e => matches(e, catalogFilter));
  } else {
    const { items } = await catalog.getEntities(
      { filter: catalogFilter, fields: FIELDS, limit: MAX_TARGETS + 1 },
      { credentials },
    );
    entities = items;
  }
  return entities
    .slice(0, MAX_TARGETS)
    .sort((a, b) => stringifyEntityRef(a).localeCompare(stringifyEntityRef(b)));
}

function normalize(ref: string, defaultKind: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
  );
}

/** The same filter, checked on an entity already read (for explicit refs). */
function matches(entity: Entity, filter: Record<string, string[]>): boolean {
  const lower = (s: string) => s.toLocaleLowerCase('en-US');
  const relations = (type: string) =>
    (entity.relations ?? [])
      .filter(r => r.type === type)
      .map(r => lower(r.targetRef));
  const checks: Array<[string, string[]]> = [
    ['kind', [entity.kind]],
    ['relations.ownedBy', relations('ownedBy')],
    ['relations.partOf', relations('partOf')],
    ['metadata.tags', entity.metadata.tags ?? []],
    ['spec.lifecycle', [String(entity.spec?.lifecycle ?? '')]],
  ];
  return checks.every(([key, values]) => {
    const wanted = filter[key];
    if (!wanted) return true;
    const have = new Set(values.map(lower));
    return wanted.some(w => have.has(lower(w)));
  });
}
