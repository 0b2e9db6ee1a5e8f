import {
  Entity,
  getCompoundEntityRef,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  RELATION_PART_OF,
  RELATION_HAS_PART,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import { toEntityRef } from '@fleetdeck/plugin-fleet-common';
import {
  isRunbookEntity,
  RunbookEntityV1alpha1,
  runbookSpecSchema,
} from '@fleetdeck/plugin-runbooks-common';
import { containsTemplate } from '../engine/templating';
import { z } from 'zod';
import { SecretScopes } from '../trust/SecretScopes';

/**
 * Step inputs whose executor would run templated text as code: refused when
 * the catalog reads the runbook, so authors learn it there, not at run time
 * (the executors refuse them again).
 */
function codeFromData(runbook: RunbookEntityV1alpha1): string | undefined {
  for (const step of runbook.spec.steps) {
    const input = step.input ?? {};
    if (step.executor === 'ssh' && containsTemplate(input.command)) {
      return `step ${step.id}: the ssh command must be the runbook's own text; pass values as args or env`;
    }
    if (step.executor === 'ansible') {
      for (const field of ['extraVars', 'inventoryVars']) {
        const vars = input[field];
        if (!vars || typeof vars !== 'object') continue;
        const key = Object.keys(vars).find(k => /^ansible_/i.test(k));
        if (key) {
          return `step ${step.id}: ${field}.${key} would change how Ansible connects or escalates; only the operator's runbooks.ansible.inventoryVars may set ansible_* variables`;
        }
      }
    }
  }
  return undefined;
}

/** Validates Runbook entities and emits their ownership and system relations. */
export class RunbookEntityProcessor implements CatalogProcessor {
  constructor(
    private readonly options: {
      /** Which configured secrets each runbook may use. */
      secrets?: SecretScopes;
    } = {},
  ) {}

  getProcessorName() {
    return 'RunbookEntityProcessor';
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (!isRunbookEntity(entity)) return false;
    const result = runbookSpecSchema.safeParse(entity.spec);
    if (!result.success) {
      throw new InputError(
        `Invalid Runbook ${entity.metadata.name}: ${z.prettifyError(
          result.error,
        )}`,
      );
    }
    const problem =
      codeFromData(entity) ?? this.options.secrets?.problem(entity);
    if (problem) throw new InputError(`Invalid Runbook: ${problem}`);
    return true;
  }

  async postProcessEntity(
    entity: Entity,
    _location: Parameters<
      NonNullable<CatalogProcessor['postProcessEntity']>
    >[1],
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isRunbookEntity(entity)) return entity;
    const self = getCompoundEntityRef(entity as Entity);
    const namespace = self.namespace;
    const link = (
      target: string,
      defaultKind: string,
      forward: string,
      backward: string,
    ) => {
      const other = toEntityRef(target, {
        defaultKind,
        defaultNamespace: namespace,
      });
      emit(
        processingResult.relation({
          source: self,
          type: forward,
          target: other,
        }),
      );
      emit(
        processingResult.relation({
          source: other,
          type: backward,
          target: self,
        }),
      );
    };
    link(entity.spec.owner, 'Group', RELATION_OWNED_BY, RELATION_OWNER_OF);
    if (entity.spec.system) {
      link(entity.spec.system, 'System', RELATION_PART_OF, RELATION_HAS_PART);
    }
    return entity;
  }
}
