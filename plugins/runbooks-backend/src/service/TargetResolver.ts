import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { fullEntityRef } from '@fleetdeck/plugin-fleet-common';
import {
  entityMatchesFilter,
  explainFilterMismatch,
  RunbookEntityV1alpha1,
  toCatalogFilter,
} from '@fleetdeck/plugin-runbooks-common';
import { TrustPolicy } from '../trust/TrustPolicy';
import { nameSome } from './RunAuthorizer';
import { Caller } from './types';

/** How many refs one catalog request looks up. */
const CHUNK = 500;

/** A ref as the catalog stores it; a bare name is a cluster in `default`. */
function targetRef(ref: string): string {
  const full = fullEntityRef(ref, { defaultKind: 'cluster' });
  if (!full) throw new InputError(`Invalid target ref '${ref}'`);
  return full;
}

/** Refuses targets outside the runbook's own filter, with the reasons. */
export function assertWithinFilter(
  runbook: RunbookEntityV1alpha1,
  entities: Entity[],
) {
  const outside = entities
    .map(e => ({ e, reasons: explainFilterMismatch(e, runbook.spec.targets) }))
    .filter(x => x.reasons.length);
  if (outside.length) {
    throw new InputError(
      `Targets outside the runbook's filter: ${outside
        .slice(0, 20)
        .map(x => `${stringifyEntityRef(x.e)} (${x.reasons.join('; ')})`)
        .join(', ')}`,
    );
  }
}

/**
 * Which entities a run acts on: those named (each known to the catalog and
 * within the runbook's filter) or all that a filter matches, of those the
 * trust policy lets runbooks act on.
 */
export class TargetResolver {
  constructor(
    private readonly deps: { catalog: CatalogService; trust: TrustPolicy },
  ) {}

  /** The entities named, or (none named) all that `filter` matches within the runbook's. */
  async resolve(
    runbook: RunbookEntityV1alpha1,
    refs: string[] | undefined,
    caller: Caller,
    filter = runbook.spec.targets,
  ): Promise<Entity[]> {
    if (!refs)
      return this.matching({ ...runbook.spec.targets, ...filter }, caller);
    if (refs.length === 0) throw new InputError('No targets given');
    const entities = await this.named(
      [...new Set(refs.map(targetRef))],
      caller,
    );
    assertWithinFilter(runbook, entities);
    return entities;
  }

  private async matching(
    filter: RunbookEntityV1alpha1['spec']['targets'],
    caller: Caller,
  ): Promise<Entity[]> {
    const entities: Entity[] = [];
    for await (const page of this.deps.catalog.streamEntities(
      { filter: toCatalogFilter(filter) },
      { credentials: caller.credentials },
    )) {
      // the catalog filters already; this keeps the runbook's own semantics
      entities.push(...page.filter(e => entityMatchesFilter(e, filter)));
    }
    if (entities.length === 0) {
      throw new InputError('No entity matches the runbook target filter');
    }
    return entities;
  }

  private async named(refs: string[], caller: Caller): Promise<Entity[]> {
    const entities: Entity[] = [];
    const unknown: string[] = [];
    for (let i = 0; i < refs.length; i += CHUNK) {
      const chunk = refs.slice(i, i + CHUNK);
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        { entityRefs: chunk },
        { credentials: caller.credentials },
      );
      items.forEach((e, j) => (e ? entities.push(e) : unknown.push(chunk[j])));
    }
    if (unknown.length) {
      throw new InputError(
        `Unknown targets: ${unknown.slice(0, 20).join(', ')}`,
      );
    }
    return entities;
  }

  /**
   * The targets a runbook may act on. Named targets that are not trusted
   * refuse the whole start; of those a filter matched, untrusted ones are
   * left out (named in the audit event's `outcome` and the run's log note).
   */
  trusted(
    entities: Entity[],
    named: boolean,
    outcome: JsonObject,
  ): { targets: Entity[]; note?: string } {
    const refused: { ref: string; reason: string }[] = [];
    const targets = entities.filter(e => {
      const trust = this.deps.trust.target(e);
      if (!trust.trusted)
        refused.push({ ref: stringifyEntityRef(e), reason: trust.reason });
      return trust.trusted;
    });
    if (refused.length === 0) return { targets };
    Object.assign(outcome, {
      untrustedTargets: refused.slice(0, 20).map(r => r.ref),
      untrustedCount: refused.length,
    });
    if (named || targets.length === 0) {
      throw new NotAllowedError(
        refused
          .slice(0, 5)
          .map(r => r.reason)
          .join('; ') +
          (refused.length > 5 ? ` (and ${refused.length - 5} more)` : ''),
      );
    }
    return {
      targets,
      note: `Left out ${refused.length} of ${
        entities.length
      } matching targets that do not come from an inventory provider or a trusted location: ${nameSome(
        refused.map(r => r.ref),
      )}`,
    };
  }
}
