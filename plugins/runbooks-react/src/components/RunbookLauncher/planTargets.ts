import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  explainFilterMismatch,
  RunbookSummary,
} from '@fleetdeck/plugin-runbooks-common';

/** A selected entity the runbook cannot run on, and why. @public */
export interface ExcludedTarget {
  entityRef: string;
  title: string;
  reasons: string[];
}

/** Splits selected entities into a runbook's targets and the excluded ones. @public */
export function planTargets(
  runbook: RunbookSummary,
  entities: Entity[],
  missingRefs: string[] = [],
): { targets: Entity[]; excluded: ExcludedTarget[] } {
  const targets: Entity[] = [];
  const excluded: ExcludedTarget[] = missingRefs.map(entityRef => ({
    entityRef,
    title: entityRef,
    reasons: ['not found in the catalog'],
  }));
  for (const entity of entities) {
    const reasons = explainFilterMismatch(entity, runbook.targets);
    if (reasons.length === 0) targets.push(entity);
    else {
      excluded.push({
        entityRef: stringifyEntityRef(entity),
        title: entity.metadata.title ?? entity.metadata.name,
        reasons,
      });
    }
  }
  return { targets, excluded };
}
