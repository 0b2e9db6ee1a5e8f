import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  RELATION_HAS_PART,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  RELATION_PART_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ENGINE_VERSION,
  engineVersionValue,
  isClusterEntity,
  isEntityKind,
  LABEL_ENGINE,
  LABEL_ENVIRONMENT,
  LABEL_NODE_COUNT,
  validateClusterEntity,
} from '@fleetdeck/plugin-fleet-common';
import { ANNOTATION_INVENTORY_PROBLEMS } from '../inventory/clusterDraft';
import {
  ANNOTATION_INVENTORY_MESSAGE,
  ANNOTATION_INVENTORY_STATUS,
  INVENTORY_LOCATION_TYPE,
} from '../inventory/inventoryStatusEntity';

const toLabelValue = (v: string) =>
  v
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 63);

/**
 * Validates Cluster entities (errors name the entity and the field), emits
 * their ownership and system relations, and turns inventory problems that the
 * providers report into processing errors, so they show in the entity's status.
 */
export class ClusterEntitiesProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'ClusterEntitiesProcessor';
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (!isEntityKind(entity, 'cluster')) return false;
    if (!entity.apiVersion.startsWith('fleetdeck.io/')) return false;
    const result = validateClusterEntity(entity);
    if (!result.ok) throw new TypeError(result.message);
    return true;
  }

  /** The status Locations of inventory providers are read by nobody: claim their type. */
  async readLocation(location: LocationSpec): Promise<boolean> {
    return location.type === INVENTORY_LOCATION_TYPE;
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (
      entity.kind === 'Location' &&
      entity.spec?.type === INVENTORY_LOCATION_TYPE
    ) {
      const status = entity.metadata.annotations?.[ANNOTATION_INVENTORY_STATUS];
      if (status === 'refused' || status === 'failed') {
        const message =
          entity.metadata.annotations?.[ANNOTATION_INVENTORY_MESSAGE] ?? status;
        emit(
          processingResult.generalError(
            location,
            `Fleet inventory refresh ${status}: ${message}`,
          ),
        );
      }
      return entity;
    }
    if (!isClusterEntity(entity)) return entity;

    const problems =
      entity.metadata.annotations?.[ANNOTATION_INVENTORY_PROBLEMS];
    if (problems) {
      for (const problem of JSON.parse(problems) as string[]) {
        emit(
          processingResult.inputError(
            location,
            `Cluster ${stringifyEntityRef(entity)}: ${problem}`,
          ),
        );
      }
    }

    const self = getCompoundEntityRef(entity);
    const relate = (
      target: string,
      defaultKind: string,
      forward: string,
      backward: string,
    ) => {
      const ref = parseEntityRef(target, {
        defaultKind,
        defaultNamespace: self.namespace,
      });
      emit(
        processingResult.relation({ source: self, type: forward, target: ref }),
      );
      emit(
        processingResult.relation({
          source: ref,
          type: backward,
          target: self,
        }),
      );
    };
    relate(entity.spec.owner, 'Group', RELATION_OWNED_BY, RELATION_OWNER_OF);
    if (entity.spec.system) {
      relate(entity.spec.system, 'System', RELATION_PART_OF, RELATION_HAS_PART);
    }
    // Labels make engine, environment and node count filterable and sortable
    // through the catalog API, for clusters from inventories and files alike;
    // engine and version in one annotation let a single facet request count
    // every engine's versions (the Fleet overview).
    return {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: {
          ...entity.metadata.annotations,
          [ANNOTATION_ENGINE_VERSION]: engineVersionValue(
            entity.spec.engine,
            entity.spec.version,
          ),
        },
        labels: {
          ...entity.metadata.labels,
          [LABEL_ENGINE]: entity.spec.engine,
          [LABEL_ENVIRONMENT]: toLabelValue(entity.spec.environment),
          [LABEL_NODE_COUNT]: String(entity.spec.nodes.length),
        },
      },
    };
  }
}
