import { Entity } from '@backstage/catalog-model';
import { JsonValue } from '@backstage/types';
import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';

/** Where an executor writes its output lines; the engine redacts and stores them. @public */
export interface RunbookStepLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Everything an executor gets for one step on one target. @public */
export interface RunbookExecutorContext {
  /** The step input, templates already rendered. */
  input: Record<string, unknown>;
  /** The target entity as it was when the run started. */
  target: Entity;
  runbook: RunbookEntityV1alpha1;
  parameters: Record<string, unknown>;
  runId: string;
  targetId: string;
  stepId: string;
  /**
   * Stable across retries and re-claims after a crash: an executor that
   * changes remote state can use it to do the change at most once.
   */
  idempotencyKey: string;
  /** Attempt number of this step, starting at 1. */
  attempt: number;
  /** Report what would change instead of changing it. */
  dryRun: boolean;
  /** Aborted on cancel and on timeout: stop and kill child processes. */
  signal: AbortSignal;
  logger: RunbookStepLogger;
  /** Secret values by name (from `runbooks.secrets` config); redacted from all output. */
  secrets: Record<string, string>;
  /**
   * Makes values this step came upon at run time (a token it was issued, a
   * private key it generated or received) secrets of the target: every
   * later log line, output and error of it shows them as `***`, as it does
   * the configured secrets. Call it before the value can reach the logger.
   */
  redact(...values: string[]): void;
  /** An empty directory for this step, removed afterwards. */
  workingDirectory: string;
  /**
   * The runbook's folder (its catalog-info file, playbooks, roles, vars) as
   * the run pinned it when it started: read the runbook's files from here,
   * never from the live location, so that a push during a run changes
   * nothing. Made when first read. Undefined only for runs started before
   * pinning existed.
   */
  definitionDirectory?: string;
  /**
   * Runs `fn` once per `key` in this attempt of the step and keeps its result
   * with the target's step record before returning it, as the scaffolder's
   * `ctx.checkpoint` does for tasks. When the worker dies and another takes
   * the target over, the attempt runs again and the same call returns the
   * stored result without calling `fn`: record what a remote system was asked
   * to do (a launched job's id) so that a takeover re-attaches to it instead
   * of asking twice. A retry after a failure is a new attempt and starts
   * with none. Results are stored redacted; keep them small.
   */
  checkpoint<T extends JsonValue>(options: {
    key: string;
    fn: () => Promise<T> | T;
  }): Promise<T>;
}

/** What a step produced. @public */
export interface RunbookStepResult {
  /** Small JSON output, shown on the target and usable by later steps as `steps.<id>.output`. */
  output?: Record<string, unknown>;
}

/**
 * Fails a step and still records what it found: the engine stores `output`
 * as the failed step's output (redacted, as a success's), so a check that
 * fails on its findings (a certificate about to expire) keeps them. The
 * engine retries it like any other error. @public
 */
export class RunbookStepError extends Error {
  readonly output: Record<string, unknown>;

  constructor(
    message: string,
    options: { output: Record<string, unknown>; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'RunbookStepError';
    this.output = options.output;
  }
}

/**
 * Whether `error` is a {@link RunbookStepError}; by shape, so an executor
 * built against another copy of this package is recognised too. @public
 */
export function isRunbookStepError(error: unknown): error is RunbookStepError {
  if (typeof error !== 'object' || error === null) return false;
  const { name, output } = error as { name?: unknown; output?: unknown };
  return (
    name === 'RunbookStepError' &&
    typeof output === 'object' &&
    output !== null &&
    !Array.isArray(output)
  );
}

/** Does the work of one kind of step (ansible, ssh, http, tls, ...). @public */
export interface RunbookExecutor {
  id: string;
  description?: string;
  /**
   * Throws to fail the step (the engine retries per the runbook's policy);
   * a {@link RunbookStepError} fails it with an output.
   */
  execute(context: RunbookExecutorContext): Promise<RunbookStepResult | void>;
}
