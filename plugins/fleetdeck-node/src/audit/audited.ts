import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuditorServiceEvent,
  AuditorServiceEventSeverityLevel,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { Redactor } from '../redaction';
import { actorRef } from './actorRef';

/** One audited operation: what {@link audited} reports to the auditor. */
export interface AuditedOperation {
  /** Kebab-case name of the operation, e.g. `publish-git`. */
  eventId: string;
  /** `medium` (a write) if unset. */
  severityLevel?: AuditorServiceEventSeverityLevel;
  /** The HTTP request the operation serves; the auditor reads the actor from it. */
  request?: AuditorServiceCreateEventOptions['request'];
  /**
   * Who acts, put into `meta.actor`: credentials (a user's ref or
   * `service:<subject>`) or a ref. Name it where there is no request (a
   * scaffolder step), or where the request's own caller is not the actor.
   */
  actor?: BackstageCredentials | string;
  meta?: JsonObject;
  /** Redacts the meta, the outcome and the error before the auditor sees them. */
  redactor?: Redactor;
  /**
   * Refuse the operation (an InputError with this message, before it runs)
   * when `meta` holds a secret the redactor knows: a secret typed into an
   * id or a ref would otherwise travel on to other services.
   */
  refuseSecretsInMeta?: string;
}

function createOptions(op: AuditedOperation): AuditorServiceCreateEventOptions {
  const meta: JsonObject = { ...op.meta };
  if (op.actor !== undefined) {
    meta.actor = typeof op.actor === 'string' ? op.actor : actorRef(op.actor);
  }
  return {
    eventId: op.eventId,
    severityLevel: op.severityLevel ?? 'medium',
    ...(op.request ? { request: op.request } : {}),
    ...(Object.keys(meta).length ? { meta } : {}),
  };
}

/** The error as the auditor may see it: redacted (in place where it can be, for every caller). */
function redactedError(error: unknown, redactor?: Redactor): Error {
  const e =
    error instanceof Error ? error : new Error(String(error ?? 'unknown'));
  if (!redactor?.active) return e;
  try {
    e.message = redactor.redact(e.message);
    if (e.stack) e.stack = redactor.redact(e.stack);
  } catch {
    // a read-only message: the auditor gets a redacted copy below
  }
  const message = redactor.redact(e.message);
  if (message === e.message) return e;
  return Object.assign(new Error(message), { name: e.name });
}

/** Creates the event with the meta redacted; `leaked` when redaction changed it. */
async function createEvent(
  auditor: AuditorService | undefined,
  operation: AuditedOperation,
): Promise<{ event?: AuditorServiceEvent; leaked: boolean }> {
  const options = createOptions(operation);
  const { redactor } = operation;
  if (!options.meta || !redactor?.active) {
    return { event: await auditor?.createEvent(options), leaked: false };
  }
  const meta = redactor.redactJson(options.meta);
  return {
    event: await auditor?.createEvent({ ...options, meta }),
    leaked: JSON.stringify(meta) !== JSON.stringify(options.meta),
  };
}

/**
 * Runs a mutating operation as one audit event: `initiated` before it,
 * `succeeded` (with what `fn` put into `outcome`) when it returns, `failed`
 * with its error (and the outcome so far) when it throws; the error is
 * rethrown. Without an auditor `fn` simply runs.
 */
export async function audited<T>(
  auditor: AuditorService | undefined,
  operation: AuditedOperation,
  fn: (outcome: JsonObject) => Promise<T>,
): Promise<T> {
  const { redactor } = operation;
  const { event, leaked } = await createEvent(auditor, operation);
  if (leaked && operation.refuseSecretsInMeta) {
    const error = new InputError(operation.refuseSecretsInMeta);
    await event?.fail({ error });
    throw error;
  }
  const outcome: JsonObject = {};
  const outcomeMeta = () => {
    if (!Object.keys(outcome).length) return undefined;
    return redactor ? redactor.redactJson(outcome) : outcome;
  };
  let result: T;
  try {
    result = await fn(outcome);
  } catch (error) {
    const meta = outcomeMeta();
    await event?.fail({
      error: redactedError(error, redactor),
      ...(meta ? { meta } : {}),
    });
    throw error;
  }
  const meta = outcomeMeta();
  await (meta ? event?.success({ meta }) : event?.success());
  return result;
}

/**
 * Records an operation refused before it could start (a caller whose
 * credentials were rejected): one event, failed with `error`. Use it where
 * the auditor cannot be given the request, since it would fail to read the
 * actor from it.
 */
export async function auditFailure(
  auditor: AuditorService | undefined,
  operation: AuditedOperation,
  error: unknown,
): Promise<void> {
  const { event } = await createEvent(auditor, operation);
  await event?.fail({ error: redactedError(error, operation.redactor) });
}
