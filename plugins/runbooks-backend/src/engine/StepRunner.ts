import { parseDuration } from '@fleetdeck/plugin-runbooks-common';
import {
  isRunbookStepError,
  RunbookExecutor,
  RunbookExecutorContext,
} from '@fleetdeck/plugin-runbooks-node';
import { Completion, NewLogLine, StoredStep } from '../database/types';
import { messageOf } from '../lib/errors';
import {
  ActiveTarget,
  CancelledError,
  LostClaimError,
  sleep,
  StepFailedError,
} from './ActiveTargets';
import { LoadedDefinition } from './RunDefinitions';
import { StepDirectories } from './StepDirectories';
import { renderTemplates } from './templating';

/** Writes a line to a target's log (redacted on the way). */
export type TargetLog = (
  level: NewLogLine['level'],
  message: string,
  stepId?: string,
) => void;

/** One step of one target, as the target runner hands it over. */
export interface StepScope {
  entry: ActiveTarget;
  def: LoadedDefinition;
  /** The step's position in the runbook. */
  index: number;
  log: TargetLog;
  /** What the step's input templates see. */
  context: Record<string, unknown>;
}

/** A step attempt's record before its end. */
type AttemptRecord = Pick<
  StoredStep,
  'id' | 'attempts' | 'startedAt' | 'checkpoints'
>;

/** What a target's step results become with one step's result set, as written next. */
function withStep(
  entry: ActiveTarget,
  index: number,
  result: Omit<StoredStep, 'finishedAt'>,
) {
  entry.steps[index] = { ...result, finishedAt: Date.now() };
  return Array.from(entry.steps, s => s ?? null);
}

/** Why an attempt may not go on: the run's cancellation or a lost claim. */
function abortedError(entry: ActiveTarget) {
  return entry.cancelled
    ? new CancelledError('Run cancelled')
    : new LostClaimError('claim lost');
}

/** Settles with the executor, or rejects as soon as `signal` aborts. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([
    work,
    // an executor that ignores its signal is abandoned on abort
    new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), {
        once: true,
      });
    }),
  ]);
}

/**
 * Runs one step of a target: prepares each attempt (templates, secrets, the
 * pinned runbook folder), executes it under its timeout and the target's
 * abort, records its result (the last step's with the target's end), and
 * retries with backoff as the runbook says.
 */
export class StepRunner {
  constructor(
    private readonly deps: {
      executors: Map<string, RunbookExecutor>;
      defaultTimeoutMs: number;
      pinnedFiles(digest: string): Promise<Map<string, Buffer>>;
      record(entry: ActiveTarget, completion: Completion): Promise<boolean>;
      /** The target's log lines not written yet, to go with its next write. */
      takeLogs(targetId: string): NewLogLine[];
    },
  ) {}

  /** Runs the step to success (its output), or throws why it did not. */
  async run(scope: StepScope): Promise<{ output?: unknown }> {
    const { entry, def, index, log } = scope;
    const { runbook } = def;
    const step = runbook.spec.steps[index];
    const retries = step.retries ?? runbook.spec.retries ?? { count: 0 };
    // an attempt that checkpointed before its worker died goes on here
    const previous = entry.steps[index];
    const resumed =
      previous?.status === 'running' && previous.id === step.id
        ? previous
        : undefined;
    for (let attempt = resumed?.attempts ?? 1; ; attempt++) {
      if (entry.abort.aborted) throw abortedError(entry);
      const record: AttemptRecord =
        attempt === resumed?.attempts
          ? {
              id: step.id,
              attempts: attempt,
              startedAt: resumed.startedAt ?? Date.now(),
              checkpoints: resumed.checkpoints,
            }
          : { id: step.id, attempts: attempt, startedAt: Date.now() };
      let failure: unknown;
      try {
        return await this.attempt(scope, record);
      } catch (e) {
        failure = e;
      }
      const message = await this.recordFailure(scope, record, failure);
      const retriable =
        !(failure instanceof StepFailedError) &&
        !((failure as Error | undefined)?.name === 'InputError');
      if (!retriable || attempt > retries.count) {
        throw new StepFailedError(`Step ${step.id} failed: ${message}`);
      }
      const backoff = parseDuration(retries.backoff, 1000) * 2 ** (attempt - 1);
      log('info', `Retrying step ${step.id} in ${backoff} ms`, step.id);
      await sleep(backoff, entry.abort);
      if (entry.abort.aborted) throw abortedError(entry);
    }
  }

  /**
   * One attempt, under one signal: aborted by the target's (cancel, lost
   * claim) or by the step's timeout. Its success is recorded before it
   * returns; a lost claim then throws.
   */
  private async attempt(scope: StepScope, record: AttemptRecord) {
    const { entry, def, index } = scope;
    const { claim } = entry;
    const { runbook } = def;
    const step = runbook.spec.steps[index];
    const timeoutMs = parseDuration(
      step.timeout ?? runbook.spec.timeout,
      this.deps.defaultTimeoutMs,
    );
    const attemptController = new AbortController();
    const forget = entry.abort.onAbort(reason =>
      attemptController.abort(reason),
    );
    const timer = setTimeout(
      () =>
        attemptController.abort(
          new Error(`Step ${step.id} timed out after ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    let directories: StepDirectories | undefined;
    try {
      const executor = this.deps.executors.get(step.executor);
      if (!executor) {
        throw new StepFailedError(
          `No executor '${step.executor}' is installed`,
        );
      }
      const prepared = await this.prepare(
        scope,
        record,
        attemptController.signal,
      );
      directories = prepared.directories;
      const result = await abortable(
        executor.execute(prepared.context),
        attemptController.signal,
      );
      const output = result?.output
        ? def.redactor.redactJson(result.output)
        : undefined;
      // the last step's result and the target's end commit together
      const last = index === runbook.spec.steps.length - 1;
      const held = await this.deps.record(entry, {
        claim,
        steps: withStep(entry, index, {
          ...record,
          status: 'succeeded',
          output,
        }),
        finish: last ? { status: 'succeeded' } : undefined,
        logs: this.deps.takeLogs(claim.targetId),
      });
      if (!held) throw new LostClaimError('claim lost');
      return { output };
    } finally {
      clearTimeout(timer);
      forget();
      await directories?.remove();
    }
  }

  /** The executor's context of one attempt: input rendered, secrets, directories. */
  private async prepare(
    scope: StepScope,
    record: AttemptRecord,
    signal: AbortSignal,
  ): Promise<{
    context: RunbookExecutorContext;
    directories: StepDirectories;
  }> {
    const { entry, def, index, log } = scope;
    const { claim } = entry;
    const step = def.runbook.spec.steps[index];
    const attempt = record.attempts;
    const input = renderTemplates(step.input ?? {}, scope.context) as Record<
      string,
      unknown
    >;
    log(
      'info',
      `Step ${step.id} (${step.executor}) attempt ${attempt}${
        claim.dryRun ? ', dry run' : ''
      }`,
      step.id,
    );
    // the pinned folder: read once per worker and digest
    const files = def.digest
      ? await this.deps.pinnedFiles(def.digest)
      : undefined;
    const directories = new StepDirectories(files);
    const context: RunbookExecutorContext = {
      input,
      target: claim.entity,
      runbook: def.runbook,
      parameters: def.parameters,
      runId: claim.runId,
      targetId: claim.targetId,
      stepId: step.id,
      idempotencyKey: `${claim.runId}/${claim.targetId}/${step.id}`,
      attempt,
      dryRun: claim.dryRun,
      signal,
      secrets: def.secrets,
      redact: (...values: string[]) => {
        // `def` is the target's own copy (TargetRunner)
        def.redactor = def.redactor.with(values);
      },
      checkpoint: options => this.checkpoint(scope, record, options),
      logger: {
        info: (m: string) => log('info', m, step.id),
        warn: (m: string) => log('warn', m, step.id),
        error: (m: string) => log('error', m, step.id),
      },
      get workingDirectory() {
        return directories.workingDirectory;
      },
      get definitionDirectory() {
        return directories.definitionDirectory;
      },
    };
    return { context, directories };
  }

  /**
   * `ctx.checkpoint`: the value stored for `key` in this attempt, or `fn`'s,
   * written (redacted) with the step's record before it is returned, so a
   * worker that takes the target over gets it instead of calling `fn` again.
   */
  private async checkpoint<T>(
    scope: StepScope,
    record: AttemptRecord,
    { key, fn }: { key: string; fn: () => Promise<T> | T },
  ): Promise<T> {
    const { entry, def, index } = scope;
    if (record.checkpoints && key in record.checkpoints) {
      return record.checkpoints[key] as T;
    }
    const value = await fn();
    record.checkpoints = {
      ...record.checkpoints,
      [key]: def.redactor.redactJson(value),
    };
    entry.steps[index] = { ...record, status: 'running' };
    const held = await this.deps.record(entry, {
      claim: entry.claim,
      steps: Array.from(entry.steps, s => s ?? null),
      logs: this.deps.takeLogs(entry.claim.targetId),
    });
    if (!held) throw new LostClaimError('claim lost');
    return value;
  }

  /**
   * Records a failed (or cancelled) attempt and returns its redacted error;
   * throws instead when the claim was lost or the run cancelled.
   */
  private async recordFailure(
    scope: StepScope,
    record: AttemptRecord,
    e: unknown,
  ): Promise<string> {
    const { entry, def, index, log } = scope;
    const { claim } = entry;
    if (
      e instanceof LostClaimError ||
      entry.abort.reason instanceof LostClaimError
    ) {
      throw new LostClaimError('claim lost');
    }
    const message = def.redactor.redact(messageOf(e));
    if (entry.cancelled) {
      log('warn', `Step ${record.id} cancelled`, record.id);
      await this.deps.record(entry, {
        claim,
        steps: withStep(entry, index, {
          ...record,
          status: 'cancelled',
          error: 'Run cancelled',
        }),
        logs: this.deps.takeLogs(claim.targetId),
      });
      throw new CancelledError('Run cancelled');
    }
    log('error', `Step ${record.id} failed: ${message}`, record.id);
    // what a failing step found (e.g. the expiring certificates) is kept
    const output = isRunbookStepError(e)
      ? def.redactor.redactJson(e.output)
      : undefined;
    const held = await this.deps.record(entry, {
      claim,
      steps: withStep(entry, index, {
        ...record,
        status: 'failed',
        output,
        error: message,
      }),
      logs: this.deps.takeLogs(claim.targetId),
    });
    if (!held) throw new LostClaimError('claim lost');
    return message;
  }
}
