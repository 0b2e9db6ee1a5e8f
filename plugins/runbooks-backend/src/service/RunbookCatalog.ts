import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { fullEntityRef } from '@fleetdeck/plugin-fleet-common';
import {
  entityMatchesFilter,
  isRunbookEntity,
  RunbookEntityV1alpha1,
  RunbookSummary,
  RunbookTrust,
} from '@fleetdeck/plugin-runbooks-common';
import { SecretScopes } from '../trust/SecretScopes';
import { TrustPolicy } from '../trust/TrustPolicy';
import { toRunbookSummary } from './mappers';
import { Caller } from './types';

/** Runbooks as the catalog has them, and whether they may run. */
export class RunbookCatalog {
  private readonly secrets: SecretScopes;

  constructor(
    private readonly deps: {
      catalog: CatalogService;
      trust: TrustPolicy;
      secrets?: SecretScopes;
    },
  ) {
    this.secrets = deps.secrets ?? SecretScopes.none();
  }

  async getRunbook(
    ref: string,
    caller: Caller,
  ): Promise<RunbookEntityV1alpha1> {
    const entityRef = fullEntityRef(ref, { defaultKind: 'runbook' });
    if (!entityRef) {
      throw new InputError(
        `Invalid runbook ref '${ref}': expected [kind:][namespace/]name`,
      );
    }
    const entity = await this.deps.catalog.getEntityByRef(entityRef, {
      credentials: caller.credentials,
    });
    if (!entity || !isRunbookEntity(entity)) {
      throw new NotFoundError(`No runbook ${entityRef}`);
    }
    return entity as RunbookEntityV1alpha1;
  }

  /** Runbooks by title, optionally only those whose target filter matches an entity. */
  async listRunbooks(
    options: { entityRef?: string },
    caller: Caller,
  ): Promise<RunbookSummary[]> {
    const { items } = await this.deps.catalog.getEntities(
      { filter: { kind: 'Runbook' } },
      { credentials: caller.credentials },
    );
    let runbooks = items.filter(isRunbookEntity) as RunbookEntityV1alpha1[];
    if (options.entityRef) {
      const entity = await this.deps.catalog.getEntityByRef(options.entityRef, {
        credentials: caller.credentials,
      });
      if (!entity) throw new NotFoundError(`No entity ${options.entityRef}`);
      runbooks = runbooks.filter(r =>
        entityMatchesFilter(entity, r.spec.targets),
      );
    }
    // by title, as people look for them (the catalog returns no fixed order)
    return runbooks
      .map(r => toRunbookSummary(r, this.runbookTrust(r)))
      .sort((a, b) =>
        (a.title ?? a.name).localeCompare(b.title ?? b.name, 'en', {
          sensitivity: 'base',
        }),
      );
  }

  /** Whether a runbook may act on an entity, for the entity's Runbooks tab. */
  async targetTrust(entityRef: string, caller: Caller): Promise<RunbookTrust> {
    const entity = await this.deps.catalog.getEntityByRef(entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) throw new NotFoundError(`No entity ${entityRef}`);
    const trust = this.deps.trust.target(entity);
    return trust.trusted
      ? { trusted: true }
      : { trusted: false, reason: trust.reason };
  }

  /** A runbook's trust as the API shows it. */
  runbookTrust(runbook: RunbookEntityV1alpha1): RunbookTrust {
    const trust = this.deps.trust.runbook(runbook);
    if (!trust.trusted) return { trusted: false, reason: trust.reason };
    const problem = this.secrets.problem(runbook);
    return problem ? { trusted: false, reason: problem } : { trusted: true };
  }

  /** Whether a runbook may run: a 403 naming the setting when it may not. */
  assertRunnable(runbook: RunbookEntityV1alpha1) {
    const trust = this.runbookTrust(runbook);
    if (!trust.trusted) throw new NotAllowedError(trust.reason);
  }
}
