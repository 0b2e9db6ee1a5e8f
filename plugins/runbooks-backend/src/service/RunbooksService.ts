import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  entityMatchesFilter,
  explainFilterMismatch,
  isRunbookEntity,
  RunbookEntityV1alpha1,
  RunbookSummary,
  RunbookTrust,
  runbooksApprovePermission,
  runbooksCancelPermission,
  runbooksReadPermission,
  runbooksRunPermission,
  RunSummary,
  scheduleRequester,
  StartRunRequest,
  toCatalogFilter,
} from '@fleetdeck/plugin-runbooks-common';
import { JsonObject } from '@backstage/types';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Request } from 'express';
import { assertRedactable, Redactor } from '@fleetdeck/plugin-runbooks-node';
import { RunStore } from '../database/RunStore';
import {
  maskParameters,
  ParameterVault,
  secretParameterNames,
} from '../engine/secrets';
import { RunNotifier } from './RunNotifier';
import { nextOccurrence } from './nextOccurrence';
import { approverRefs, ownerRef } from '../lib/ownerRef';
import { TrustPolicy } from '../trust/TrustPolicy';
import { SecretScopes } from '../trust/SecretScopes';
import { DefinitionSnapshots } from '../trust/DefinitionSnapshots';
import { messageOf } from '../lib/errors';

function nextRunAt(cron: string): string | undefined {
  try {
    return nextOccurrence(cron, new Date()).toISOString();
  } catch {
    return undefined; // an invalid cron never runs
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
addFormats(ajv);
// `password` only marks a parameter as secret (masked and redacted)
ajv.addFormat('password', true);

/** Who asked, for audit events and checks. */
export interface Caller {
  credentials: BackstageCredentials;
  /** The HTTP request, when there is one (the auditor reads the actor from it). */
  request?: Request;
}

/**
 * Whatever starts runs on a caller's behalf: a person, a template step or an
 * agent. Schedules start theirs with {@link RunbooksService.startScheduledRun}.
 */
export interface StartRunOptions extends StartRunRequest {
  retryOf?: string;
}

const userRef = (credentials: BackstageCredentials) =>
  credentials.principal && (credentials.principal as any).type === 'user'
    ? ((credentials.principal as any).userEntityRef as string)
    : `service:${(credentials.principal as any)?.subject ?? 'unknown'}`;

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

/** Entity refs for messages: the first 20 and how many more. */
function nameSome(refs: string[]): string {
  return `${refs.slice(0, 20).join(', ')}${
    refs.length > 20 ? ` and ${refs.length - 20} more` : ''
  }`;
}

/**
 * The runbooks engine's use cases, shared by the HTTP API, the scaffolder
 * action, the actions registry and the scheduler. Every check happens here.
 */
export class RunbooksService {
  constructor(
    private readonly deps: {
      store: RunStore;
      catalog: CatalogService;
      permissions: PermissionsService;
      userInfo: UserInfoService;
      auditor: AuditorService;
      logger: LoggerService;
      notifier: RunNotifier;
      wake(): void;
      abortRun(runId: string): void;
      /** Encrypts secret parameters where runs are stored (none: such runs are refused). */
      vault?: ParameterVault;
      /** Which runbooks may run, on which targets. */
      trust: TrustPolicy;
      /** Which configured secrets each runbook may use. */
      secrets?: SecretScopes;
      /** Pins a run's runbook files at its start (none: executors read them live). */
      snapshots?: DefinitionSnapshots;
    },
  ) {}

  /** Redacts every configured secret from audit events (made at first use). */
  private auditRedactor?: Redactor;

  /** Whether a runbook may run: a 403 naming the setting when it may not. */
  private assertRunnable(runbook: RunbookEntityV1alpha1) {
    const trust = this.deps.trust.runbook(runbook);
    if (!trust.trusted) throw new NotAllowedError(trust.reason);
    const problem = (this.deps.secrets ?? SecretScopes.none()).problem(runbook);
    if (problem) throw new NotAllowedError(problem);
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

  async getRunbook(
    ref: string,
    caller: Caller,
  ): Promise<RunbookEntityV1alpha1> {
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind: 'runbook',
          defaultNamespace: 'default',
        }),
      );
    } catch (e) {
      throw new InputError(
        `Invalid runbook ref '${ref}': ${(e as Error).message}`,
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

  /** Runbooks, optionally only those whose target filter matches an entity. */
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

  /** A runbook's trust as the API shows it. */
  runbookTrust(runbook: RunbookEntityV1alpha1): RunbookTrust {
    const trust = this.deps.trust.runbook(runbook);
    if (!trust.trusted) return { trusted: false, reason: trust.reason };
    const problem = (this.deps.secrets ?? SecretScopes.none()).problem(runbook);
    return problem ? { trusted: false, reason: problem } : { trusted: true };
  }

  private async authorizeEach(
    permission: ResourcePermission | BasicPermission,
    refs: string[],
    caller: Caller,
  ): Promise<string[]> {
    const denied: string[] = [];
    for (let i = 0; i < refs.length; i += 250) {
      const chunk = refs.slice(i, i + 250);
      const decisions = await this.deps.permissions.authorize(
        chunk.map(resourceRef => ({ permission, resourceRef } as any)),
        { credentials: caller.credentials },
      );
      decisions.forEach((d, j) => {
        if (d.result !== AuthorizeResult.ALLOW) denied.push(chunk[j]);
      });
    }
    return denied;
  }

  private async resolveTargets(
    runbook: RunbookEntityV1alpha1,
    refs: string[] | undefined,
    caller: Caller,
    filter = runbook.spec.targets,
  ): Promise<Entity[]> {
    if (!refs) {
      const entities: Entity[] = [];
      const combined = { ...runbook.spec.targets, ...filter };
      for await (const page of this.deps.catalog.streamEntities(
        { filter: toCatalogFilter(combined) },
        { credentials: caller.credentials },
      )) {
        // the catalog filters already; this keeps the runbook's own semantics
        entities.push(...page.filter(e => entityMatchesFilter(e, combined)));
      }
      if (entities.length === 0) {
        throw new InputError('No entity matches the runbook target filter');
      }
      return entities;
    }
    if (refs.length === 0) throw new InputError('No targets given');
    const normalized = refs.map(ref => {
      try {
        return stringifyEntityRef(
          parseEntityRef(ref, {
            defaultKind: 'cluster',
            defaultNamespace: 'default',
          }),
        );
      } catch {
        throw new InputError(`Invalid target ref '${ref}'`);
      }
    });
    const unique = [...new Set(normalized)];
    const entities: Entity[] = [];
    const unknown: string[] = [];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
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
    assertWithinFilter(runbook, entities);
    return entities;
  }

  /**
   * Runs `fn` as one audit event: success (with the meta `fn` put into
   * `outcome`) when it returns, failure with its error when it throws.
   */
  private async audited<T>(
    options: AuditorServiceCreateEventOptions,
    fn: (outcome: JsonObject) => Promise<T>,
  ): Promise<T> {
    // what a request named (targets) and an error quoted may hold a secret
    const redactor = (this.auditRedactor ??= new Redactor(
      this.deps.secrets?.values() ?? [],
    ));
    const redactedMeta = options.meta && redactor.redactJson(options.meta);
    const event = await this.deps.auditor.createEvent(
      options.meta ? { ...options, meta: redactedMeta } : options,
    );
    if (
      redactedMeta !== options.meta &&
      JSON.stringify(redactedMeta) !== JSON.stringify(options.meta)
    ) {
      // a secret typed into a target ref or an id: refused before it
      // reaches the catalog (whose own audit events would name it)
      const error = new InputError(
        'The request holds the value of a configured secret (shown as *** in the audit event); no target or id may',
      );
      await event.fail({ error });
      throw error;
    }
    const outcome: JsonObject = {};
    const meta = () =>
      Object.keys(outcome).length ? { meta: redactor.redactJson(outcome) } : {};
    let result: T;
    try {
      result = await fn(outcome);
    } catch (e) {
      // redacted for every caller: the API, the scaffolder's task log, agents
      if (e instanceof Error && redactor.active) {
        try {
          e.message = redactor.redact(e.message);
          if (e.stack) e.stack = redactor.redact(e.stack);
        } catch {
          // a read-only message: the audit event gets a redacted copy below
        }
      }
      const message = messageOf(e);
      const redacted = redactor.redact(message);
      const error =
        e instanceof Error && redacted === message
          ? e
          : Object.assign(new Error(redacted), {
              name: (e as Error)?.name ?? 'Error',
            });
      await event.fail({ error, ...meta() });
      throw e;
    }
    if (Object.keys(outcome).length) await event.success(meta());
    else await event.success();
    return result;
  }

  /** Validates everything, checks `runbooks.run` per target, then writes the run. */
  async startRun(
    request: StartRunOptions,
    caller: Caller,
  ): Promise<RunSummary> {
    const runbook = await this.getRunbook(request.runbookRef, caller);
    const runbookRef = stringifyEntityRef(runbook);
    const summary = await this.audited(
      {
        eventId: 'run-start',
        request: caller.request,
        severityLevel: request.dryRun ? 'low' : 'medium',
        meta: {
          actor: userRef(caller.credentials),
          runbookRef,
          dryRun: Boolean(request.dryRun),
          targets: request.targets?.slice(0, 100) ?? 'all matching',
          ...(request.retryOf ? { retryOf: request.retryOf } : {}),
        },
      },
      async outcome => {
        this.assertRunnable(runbook);
        const parameters = this.validateParameters(runbook, request);
        const resolved = await this.resolveTargets(
          runbook,
          request.targets,
          caller,
        );
        const { targets, note } = this.trustedTargets(
          resolved,
          Boolean(request.targets),
          outcome,
        );
        const refs = targets.map(t => stringifyEntityRef(t));
        const denied = await this.authorizeEach(
          runbooksRunPermission,
          refs,
          caller,
        );
        if (denied.length) {
          throw new NotAllowedError(
            `You may not run ${runbookRef} on ${nameSome(denied)}`,
          );
        }
        const run = await this.writeRun(
          runbook,
          targets,
          {
            parameters,
            requestedBy: userRef(caller.credentials),
            dryRun: Boolean(request.dryRun),
            retryOf: request.retryOf,
          },
          note,
        );
        Object.assign(outcome, { runId: run.id, targetCount: refs.length });
        return run;
      },
    );
    return this.askApprovers(summary);
  }

  /**
   * Starts the run a runbook's schedule is due for. A schedule acts for the
   * runbook's owner (`spec.owner`): of the entities its filter matches, the
   * run gets those that group owns, the same rule (`isEntityOwner`) that
   * keeps `runbooks.run` to a target's owners when a person starts a run.
   * The others are left out and named in the backend log, the audit event
   * and the run's log; when none is left, no run is created and the audit
   * event fails. Audit events and the run name the schedule as the
   * requester (`schedule:<runbook ref>`). `caller` is the plugin's own
   * service credentials, used to read the catalog only.
   */
  async startScheduledRun(
    runbook: RunbookEntityV1alpha1,
    caller: Caller,
  ): Promise<RunSummary> {
    const schedule = runbook.spec.schedule;
    const runbookRef = stringifyEntityRef(runbook);
    if (!schedule)
      throw new InputError(`Runbook ${runbookRef} has no schedule`);
    const actor = scheduleRequester(runbookRef);
    const summary = await this.audited(
      {
        eventId: 'run-start',
        request: caller.request,
        severityLevel: schedule.dryRun ? 'low' : 'medium',
        meta: {
          actor,
          runbookRef,
          dryRun: Boolean(schedule.dryRun),
          targets: 'all matching the schedule and owned by the runbook owner',
          schedule: schedule.cron,
          onBehalfOf: runbook.spec.owner,
        },
      },
      async outcome => {
        const owner = ownerRef(
          runbook.spec.owner,
          runbook.metadata.namespace ?? 'default',
        );
        outcome.onBehalfOf = owner;
        this.assertRunnable(runbook);
        const parameters = this.validateParameters(runbook, {
          parameters: schedule.parameters,
          dryRun: schedule.dryRun,
        });
        const found = await this.resolveTargets(
          runbook,
          undefined,
          caller,
          schedule.targets,
        );
        assertWithinFilter(runbook, found);
        const { targets: matched, note: untrustedNote } = this.trustedTargets(
          found,
          false,
          outcome,
        );
        const owned = matched.filter(e => entityOwners(e).includes(owner));
        const skipped = matched
          .filter(e => !owned.includes(e))
          .map(e => stringifyEntityRef(e));
        let note = untrustedNote;
        if (skipped.length) {
          Object.assign(outcome, {
            skippedTargets: skipped.slice(0, 20),
            skippedCount: skipped.length,
          });
          note = `${
            note ? `${note}\n` : ''
          }The schedule acts for ${owner} and leaves out ${skipped.length} of ${
            matched.length
          } matching targets owned by others: ${nameSome(skipped)}`;
          this.deps.logger.warn(`Schedule of ${runbookRef}: ${note}`);
        }
        if (owned.length === 0) {
          throw new NotAllowedError(
            `No target of the schedule is owned by ${owner} (the owner of ${runbookRef}); ${
              matched.length
            } matching targets are owned by others: ${nameSome(skipped)}`,
          );
        }
        const run = await this.writeRun(
          runbook,
          owned,
          {
            parameters,
            requestedBy: actor,
            dryRun: Boolean(schedule.dryRun),
            schedule: schedule.cron,
          },
          note,
        );
        Object.assign(outcome, { runId: run.id, targetCount: owned.length });
        return run;
      },
    );
    return this.askApprovers(summary);
  }

  /**
   * The targets a runbook may act on. Named targets that are not trusted
   * refuse the whole start; of those a filter matched, untrusted ones are
   * left out (named in the audit event and the run's log).
   */
  private trustedTargets(
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

  /** Tells the approver groups when a new run has targets waiting for them. */
  private async askApprovers(summary: RunSummary): Promise<RunSummary> {
    if (summary.counts.awaiting_approval > 0) {
      await this.deps.notifier.approvalNeeded(summary);
    }
    return summary;
  }

  /** The run's parameters, with the schema's defaults, if the runbook accepts them. */
  private validateParameters(
    runbook: RunbookEntityV1alpha1,
    request: { parameters?: Record<string, unknown>; dryRun?: boolean },
  ): Record<string, unknown> {
    if (request.dryRun && runbook.spec.dryRun === false) {
      throw new InputError(
        `Runbook ${stringifyEntityRef(runbook)} does not support dry runs`,
      );
    }
    const parameters = structuredClone(request.parameters ?? {});
    const schema = runbook.spec.parameters ?? { type: 'object' };
    const validate = ajv.compile(schema);
    if (!validate(parameters)) {
      throw new InputError(
        `Invalid parameters: ${ajv.errorsText(validate.errors, {
          dataVar: 'parameters',
        })}`,
      );
    }
    // a secret parameter is redacted from every output: too short a value
    // cannot be, without mangling ordinary text
    for (const name of secretParameterNames(schema)) {
      const value = (parameters as Record<string, unknown>)[name];
      if (value === undefined) continue;
      try {
        assertRedactable(value, `parameters.${name}`);
      } catch (e) {
        throw new InputError((e as Error).message);
      }
    }
    return parameters as Record<string, unknown>;
  }

  /** Writes a checked run (and a run-level log line, if any) and wakes the workers. */
  private async writeRun(
    runbook: RunbookEntityV1alpha1,
    targets: Entity[],
    run: {
      parameters: Record<string, unknown>;
      requestedBy: string;
      dryRun: boolean;
      retryOf?: string;
      schedule?: string;
    },
    note?: string,
  ): Promise<RunSummary> {
    const approval = runbook.spec.approval;
    // what the run executes, read once: a push during the run changes nothing
    const definition = await this.deps.snapshots?.snapshot(runbook);
    const parameters = (this.deps.vault ?? new ParameterVault()).seal(
      runbook.spec.parameters,
      run.parameters,
    );
    const runId = await this.deps.store.createRun({
      runbookRef: stringifyEntityRef(runbook),
      runbook,
      parameters,
      requestedBy: run.requestedBy,
      dryRun: run.dryRun,
      concurrency: runbook.spec.concurrency ?? 5,
      retryOf: run.retryOf,
      schedule: run.schedule,
      note,
      definition,
      targets: targets.map(entity => ({
        entityRef: stringifyEntityRef(entity),
        entity,
        // a dry run changes nothing, so it never waits for approval
        needsApproval:
          !run.dryRun &&
          !!approval &&
          entityMatchesFilter(entity, approval.when),
      })),
    });
    this.deps.wake();
    return this.getRunSummary(runId);
  }

  async getRunSummary(runId: string): Promise<RunSummary> {
    const row = await this.deps.store.getRunRow(runId);
    const summary = await this.deps.store.toSummary(row);
    return {
      ...summary,
      parameters: maskParameters(
        JSON.parse(row.runbook)?.spec?.parameters,
        summary.parameters,
      ),
    };
  }

  /** A run, if the caller may read its runbook. */
  async getRun(runId: string, caller: Caller): Promise<RunSummary> {
    const summary = await this.getRunSummary(runId);
    await this.assertCanRead(summary.runbookRef, caller);
    return summary;
  }

  async assertCanRead(runbookRef: string, caller: Caller) {
    const denied = await this.authorizeEach(
      runbooksReadPermission,
      [runbookRef],
      caller,
    );
    if (denied.length)
      throw new NotAllowedError(`You may not read runs of ${runbookRef}`);
  }

  async listRuns(options: Parameters<RunStore['listRuns']>[0], caller: Caller) {
    const { rows, nextCursor } = await this.deps.store.listRuns(options);
    const refs = [...new Set(rows.map(r => r.runbook_ref as string))];
    const denied = new Set(
      await this.authorizeEach(runbooksReadPermission, refs, caller),
    );
    const items = await Promise.all(
      rows
        .filter(r => !denied.has(r.runbook_ref))
        .map(r => this.getRunSummary(r.id)),
    );
    return { items, nextCursor };
  }

  /** Approve or reject waiting targets: approver group members only, never the requester. */
  async decide(
    runId: string,
    options: { approve: boolean; targetIds?: string[]; comment?: string },
    caller: Caller,
  ): Promise<RunSummary> {
    const run = await this.getRunSummary(runId);
    const actor = userRef(caller.credentials);
    await this.audited(
      {
        eventId: options.approve ? 'run-approve' : 'run-reject',
        request: caller.request,
        severityLevel: 'high',
        meta: {
          actor,
          runId,
          runbookRef: run.runbookRef,
          targetIds: options.targetIds ?? 'all waiting',
        },
      },
      async outcome => {
        if (
          (caller.credentials.principal as { type?: string }).type !== 'user'
        ) {
          throw new NotAllowedError('Only a person can approve or reject');
        }
        if (actor === run.requestedBy) {
          throw new NotAllowedError(
            'The requester of a run cannot approve or reject it',
          );
        }
        const approvers = (run.approvers ?? []).map(lower);
        const { ownershipEntityRefs } = await this.deps.userInfo.getUserInfo(
          caller.credentials,
        );
        if (!ownershipEntityRefs.some(r => approvers.includes(lower(r)))) {
          throw new NotAllowedError(
            `Only members of ${
              approvers.join(', ') || 'the approver groups'
            } can approve this run`,
          );
        }
        const { items } = await this.deps.store.listTargets({
          runId,
          status: ['awaiting_approval'],
          targetIds: options.targetIds,
          offset: 0,
          limit: 100_000,
        });
        if (items.length === 0)
          throw new ConflictError('No target of this run waits for approval');
        const denied = await this.authorizeEach(
          runbooksApprovePermission,
          [...new Set(items.map(t => t.entityRef))],
          caller,
        );
        if (denied.length) {
          throw new NotAllowedError(
            `You may not approve runs on ${denied.join(', ')}`,
          );
        }
        const decided = await this.deps.store.decide({
          runId,
          targetIds: items.map(t => t.id),
          approve: options.approve,
          by: actor,
          comment: options.comment,
        });
        this.deps.wake();
        outcome.targets = items
          .filter(t => decided.includes(t.id))
          .map(t => t.entityRef)
          .slice(0, 100);
      },
    );
    const summary = await this.getRunSummary(runId);
    if (summary.status === 'failed')
      await this.deps.notifier.runFinished(summary);
    return summary;
  }

  private async assertCanControl(run: RunSummary, caller: Caller) {
    if (userRef(caller.credentials) === run.requestedBy) return;
    const denied = await this.authorizeEach(
      runbooksCancelPermission,
      [run.runbookRef],
      caller,
    );
    if (denied.length) {
      throw new NotAllowedError(
        'Only the requester or the runbook owners can do this',
      );
    }
  }

  async cancel(runId: string, caller: Caller): Promise<RunSummary> {
    const run = await this.getRunSummary(runId);
    await this.audited(
      {
        eventId: 'run-cancel',
        request: caller.request,
        severityLevel: 'medium',
        meta: {
          actor: userRef(caller.credentials),
          runId,
          runbookRef: run.runbookRef,
        },
      },
      async () => {
        await this.assertCanControl(run, caller);
        if (!(await this.deps.store.cancelRun(runId))) {
          throw new ConflictError(
            `Run ${runId} has already ended (${run.status})`,
          );
        }
        this.deps.abortRun(runId);
      },
    );
    return this.getRunSummary(runId);
  }

  /** A new run of the failed targets only, with the same parameters. */
  async retryFailed(runId: string, caller: Caller): Promise<RunSummary> {
    const run = await this.getRunSummary(runId);
    return this.audited(
      {
        eventId: 'run-retry',
        request: caller.request,
        severityLevel: 'medium',
        meta: {
          actor: userRef(caller.credentials),
          runId,
          runbookRef: run.runbookRef,
        },
      },
      async outcome => {
        await this.assertCanControl(run, caller);
        if (run.status === 'running' || run.status === 'awaiting_approval') {
          throw new ConflictError(`Run ${runId} is still ${run.status}`);
        }
        const failed = await this.deps.store.failedTargets(runId);
        const stored = await this.deps.store.getRunDefinition(runId);
        // the new run stores them encrypted again, under a new nonce
        const parameters = (this.deps.vault ?? new ParameterVault()).open(
          stored.parameters,
        );
        const retry = await this.startRun(
          {
            runbookRef: run.runbookRef,
            targets: failed.map(f => f.entityRef),
            parameters,
            dryRun: run.dryRun,
            retryOf: runId,
          },
          caller,
        );
        Object.assign(outcome, {
          newRunId: retry.id,
          targets: failed.map(f => f.entityRef).slice(0, 100),
        });
        return retry;
      },
    );
  }
}

/** Refuses targets outside the runbook's own filter, with the reasons. */
function assertWithinFilter(
  runbook: RunbookEntityV1alpha1,
  entities: Entity[],
) {
  const outside = entities
    .map(e => ({
      e,
      reasons: explainFilterMismatch(e, runbook.spec.targets),
    }))
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

/** The API view of a Runbook entity. */
export function toRunbookSummary(
  r: RunbookEntityV1alpha1,
  trust: RunbookTrust,
): RunbookSummary {
  return {
    entityRef: stringifyEntityRef(r),
    name: r.metadata.name,
    title: r.metadata.title,
    description: r.metadata.description,
    owner: r.spec.owner,
    targets: r.spec.targets,
    parameters: r.spec.parameters,
    steps: r.spec.steps.map(s => ({
      id: s.id,
      name: s.name,
      executor: s.executor,
    })),
    concurrency: r.spec.concurrency ?? 5,
    approval: r.spec.approval && {
      ...r.spec.approval,
      // full refs, as run summaries carry them (`sre` is group:<namespace>/sre)
      approvers:
        approverRefs(r.spec.approval.approvers, r.metadata.namespace) ?? [],
    },
    schedule: r.spec.schedule && {
      ...r.spec.schedule,
      nextRunAt: nextRunAt(r.spec.schedule.cron),
    },
    dryRunSupported: r.spec.dryRun !== false,
    trust,
  };
}
