import { LoggerService } from '@backstage/backend-plugin-api';
import {
  parseDuration,
  RunbookEntityV1alpha1,
  RunStatus,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import {
  Redactor,
  RunbookExecutor,
  RunbookExecutorContext,
} from '@fleetdeck/plugin-runbooks-node';
import { mkdtempSync } from 'fs';
import { rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { RunStore } from '../database/RunStore';
import { ClaimedTarget, NewLogLine } from '../database/types';
import { renderTemplates } from './templating';
import { runRedactor } from './secrets';

/** Hooks the worker calls when states change (signals, notifications). */
export interface RunEvents {
  targetChanged(runId: string, targetId: string, status: TargetStatus): void;
  runFinished(runId: string, status: RunStatus): void;
}

/** Tuning of a worker; all values have defaults suited to production. */
export interface RunWorkerOptions {
  store: RunStore;
  executors: Map<string, RunbookExecutor>;
  logger: LoggerService;
  workerId: string;
  secrets?: Record<string, string>;
  events?: RunEvents;
  /** Targets this worker runs at once, over all runs. */
  maxParallel?: number;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** A claim whose heartbeat is older than this is taken over by another worker. */
  staleAfterMs?: number;
  /** Step timeout when the runbook sets none. */
  defaultTimeoutMs?: number;
}

class LostClaimError extends Error {}
class CancelledError extends Error {}
class StepFailedError extends Error {}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

interface RunDefinition {
  runbook: RunbookEntityV1alpha1;
  parameters: Record<string, unknown>;
  redactor: Redactor;
}

/**
 * Claims targets from the run store and executes their steps. Every backend
 * replica runs one; they coordinate only through the database.
 */
export class RunWorker {
  private readonly active = new Map<
    string,
    { claim: ClaimedTarget; controller: AbortController; cancelled: boolean }
  >();
  private readonly definitions = new Map<string, Promise<RunDefinition>>();
  private readonly baseRedactor: Redactor;
  private stopped = true;
  private wakeUp?: () => void;
  private loopDone?: Promise<void>;
  private heartbeatTimer?: NodeJS.Timeout;
  private logBuffer: NewLogLine[] = [];

  constructor(private readonly options: RunWorkerOptions) {
    this.baseRedactor = new Redactor(Object.values(options.secrets ?? {}));
  }

  get activeCount() {
    return this.active.size;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.loopDone = this.loop();
    this.heartbeatTimer = setInterval(
      () =>
        this.beat().catch(e =>
          this.options.logger.warn(`Heartbeat failed: ${e}`),
        ),
      this.options.heartbeatIntervalMs ?? 5000,
    );
  }

  /** Stops claiming and aborts what runs: another replica re-claims it. */
  async stop() {
    this.stopped = true;
    clearInterval(this.heartbeatTimer);
    this.wake();
    for (const a of this.active.values())
      a.controller.abort(new LostClaimError('worker stopped'));
    await this.loopDone;
    const deadline = Date.now() + 10_000;
    while (this.active.size > 0 && Date.now() < deadline) await sleep(20);
    await this.flushLogs();
  }

  /** Aborts this worker's targets of a cancelled run at once (other replicas notice on their heartbeat). */
  abortRun(runId: string) {
    for (const entry of this.active.values()) {
      if (entry.claim.runId === runId) {
        entry.cancelled = true;
        entry.controller.abort(new CancelledError('Run cancelled'));
      }
    }
  }

  /** Claims at once instead of at the next poll (a run was created or approved). */
  wake() {
    if (this.wakeUp) this.wakeUp();
    else this.wokenWhileBusy = true;
  }

  private wokenWhileBusy = false;
  private lastClaimAt = 0;

  private async loop() {
    const max = this.options.maxParallel ?? 50;
    while (!this.stopped) {
      let claimedAll = false;
      try {
        // With few slots free, gather the targets that finish in the next
        // few milliseconds and claim for all of them in one transaction.
        const sinceLast = Date.now() - this.lastClaimAt;
        if (max - this.active.size < Math.ceil(max / 4) && sinceLast < 10) {
          await sleep(10 - sinceLast);
        }
        this.lastClaimAt = Date.now();
        const free = max - this.active.size;
        if (free > 0) {
          const claimed = await this.options.store.claimTargets({
            workerId: this.options.workerId,
            limit: free,
            staleAfterMs: this.options.staleAfterMs ?? 60_000,
          });
          for (const claim of claimed) this.execute(claim);
          claimedAll = claimed.length > 0 && claimed.length === free;
        }
      } catch (e) {
        this.options.logger.warn(`Claiming runbook targets failed: ${e}`);
      }
      if (this.stopped) break;
      if (claimedAll) continue;
      if (this.wokenWhileBusy) {
        // slots freed while claiming: claim again, after other finishes of
        // this moment had their turn (one claim for many freed slots)
        this.wokenWhileBusy = false;
        await new Promise(r => setImmediate(r));
        continue;
      }
      await new Promise<void>(resolve => {
        const timer = setTimeout(done, this.options.pollIntervalMs ?? 1000);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wakeUp = done;
      });
      this.wakeUp = undefined;
    }
  }

  private async beat() {
    await this.flushLogs();
    const entries = [...this.active.values()];
    if (entries.length === 0) return;
    const held = await this.options.store.heartbeat([
      ...new Set(entries.map(e => e.claim.claimId)),
    ]);
    const cancelled = await this.options.store.cancelledRuns([
      ...new Set(entries.map(e => e.claim.runId)),
    ]);
    for (const entry of entries) {
      if (!held.has(entry.claim.claimId)) {
        entry.controller.abort(new LostClaimError('claim lost'));
      } else if (cancelled.has(entry.claim.runId)) {
        entry.cancelled = true;
        entry.controller.abort(new CancelledError('Run cancelled'));
      }
    }
  }

  private log(line: NewLogLine, redactor: Redactor) {
    this.logBuffer.push({
      ...line,
      message: redactor.redact(line.message),
      createdAt: Date.now(),
    });
    if (this.logBuffer.length >= 200) void this.flushLogs();
  }

  /** Removes and returns the buffered lines of one target. */
  private takeLogs(targetId: string): NewLogLine[] {
    const mine = this.logBuffer.filter(l => l.targetId === targetId);
    if (mine.length) {
      this.logBuffer = this.logBuffer.filter(l => l.targetId !== targetId);
    }
    return mine;
  }

  private async flushLogs() {
    if (this.logBuffer.length === 0) return;
    const lines = this.logBuffer;
    this.logBuffer = [];
    try {
      await this.options.store.appendLogs(lines);
    } catch (e) {
      this.options.logger.warn(
        `Could not store ${lines.length} log lines: ${e}`,
      );
    }
  }

  private definition(runId: string): Promise<RunDefinition> {
    let found = this.definitions.get(runId);
    if (!found) {
      found = this.options.store.getRunDefinition(runId).then(d => ({
        ...d,
        redactor: runRedactor(
          this.baseRedactor,
          d.runbook?.spec?.parameters,
          d.parameters,
        ),
      }));
      this.definitions.set(runId, found);
      if (this.definitions.size > 200) {
        this.definitions.delete(this.definitions.keys().next().value!);
      }
      found.catch(() => this.definitions.delete(runId));
    }
    return found;
  }

  private execute(claim: ClaimedTarget) {
    const entry = {
      claim,
      controller: new AbortController(),
      cancelled: false,
    };
    this.active.set(claim.targetId, entry);
    this.options.events?.targetChanged(claim.runId, claim.targetId, 'running');
    this.runTarget(entry)
      .catch(e =>
        this.options.logger.error(
          `Runbook target ${claim.targetId} crashed: ${e}`,
        ),
      )
      .finally(() => {
        this.active.delete(claim.targetId);
        this.wake();
      });
  }

  private async runTarget(entry: {
    claim: ClaimedTarget;
    controller: AbortController;
    cancelled: boolean;
  }) {
    const { claim, controller } = entry;
    const { store } = this.options;
    const def = await this.definition(claim.runId);
    const { runbook, parameters, redactor } = def;
    const log = (
      level: NewLogLine['level'],
      message: string,
      stepId?: string,
    ) =>
      this.log(
        {
          runId: claim.runId,
          targetId: claim.targetId,
          stepId,
          level,
          message,
        },
        redactor,
      );
    let finalStatus: TargetStatus = 'succeeded';
    let error: string | undefined;
    // set when the last step's completion also ended the target
    const finishedWithLastStep: { done: boolean; runStatus?: RunStatus } = {
      done: false,
    };
    const onTargetFinished = (runStatus?: RunStatus) => {
      finishedWithLastStep.done = true;
      finishedWithLastStep.runStatus = runStatus;
    };
    try {
      if (claim.claims > 1) {
        log(
          'info',
          `Resuming on ${this.options.workerId} (claim ${claim.claims})`,
        );
      }
      // a first claim has no step results yet
      const rows =
        claim.claims > 1 ? await store.getStepRows(claim.targetId) : [];
      const done = new Map(rows.map(r => [Number(r.step_index), r]));
      const stepsContext: Record<string, { output?: unknown }> = {};
      const steps = runbook.spec.steps;
      for (let index = 0; index < steps.length; index++) {
        const step = steps[index];
        const previous = done.get(index);
        if (previous?.status === 'succeeded') {
          stepsContext[step.id] = {
            output: previous.output ? JSON.parse(previous.output) : undefined,
          };
          continue;
        }
        stepsContext[step.id] = await this.runStep({
          entry,
          def,
          index,
          log,
          onTargetFinished,
          context: {
            target: claim.entity,
            parameters,
            steps: stepsContext,
            run: {
              id: claim.runId,
              dryRun: claim.dryRun,
              requestedBy: claim.requestedBy,
            },
            secrets: this.options.secrets ?? {},
          },
        });
      }
    } catch (e) {
      if (
        e instanceof LostClaimError ||
        controller.signal.reason instanceof LostClaimError
      ) {
        // another worker owns the target now (or this one is stopping): write nothing
        return;
      }
      if (entry.cancelled) {
        finalStatus = 'cancelled';
        error = 'Run cancelled';
      } else {
        finalStatus = 'failed';
        error = redactor.redact((e as Error).message);
      }
    }
    if (finishedWithLastStep.done) {
      this.options.events?.targetChanged(
        claim.runId,
        claim.targetId,
        'succeeded',
      );
      if (finishedWithLastStep.runStatus) {
        this.options.events?.runFinished(
          claim.runId,
          finishedWithLastStep.runStatus,
        );
      }
      return;
    }
    await this.flushLogs();
    const result = await store.finishTarget(claim, finalStatus, error);
    if (result.finished) {
      this.options.events?.targetChanged(
        claim.runId,
        claim.targetId,
        finalStatus,
      );
    }
    if (result.runStatus) {
      this.options.events?.runFinished(claim.runId, result.runStatus);
    }
  }

  private async runStep(args: {
    entry: {
      claim: ClaimedTarget;
      controller: AbortController;
      cancelled: boolean;
    };
    def: RunDefinition;
    index: number;
    log: (level: NewLogLine['level'], message: string, stepId?: string) => void;
    context: Record<string, unknown>;
    onTargetFinished(runStatus?: RunStatus): void;
  }): Promise<{ output?: unknown }> {
    const { entry, def, index, log } = args;
    const { claim, controller } = entry;
    const { runbook, redactor } = def;
    const step = runbook.spec.steps[index];
    const store = this.options.store;
    const executor = this.options.executors.get(step.executor);
    const retries = step.retries ?? runbook.spec.retries ?? { count: 0 };
    const timeoutMs = parseDuration(
      step.timeout ?? runbook.spec.timeout,
      this.options.defaultTimeoutMs ?? 30 * 60_000,
    );
    const last = index === runbook.spec.steps.length - 1;
    for (let attempt = 1; ; attempt++) {
      if (controller.signal.aborted) {
        throw entry.cancelled
          ? new CancelledError('Run cancelled')
          : new LostClaimError('claim lost');
      }
      const stepRecord = {
        index,
        id: step.id,
        attempts: attempt,
        startedAt: Date.now(),
      };
      const timeout = new AbortController();
      const timer = setTimeout(
        () =>
          timeout.abort(
            new Error(`Step ${step.id} timed out after ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      const signal = AbortSignal.any([controller.signal, timeout.signal]);
      let workingDirectory: string | undefined;
      try {
        if (!executor)
          throw new StepFailedError(
            `No executor '${step.executor}' is installed`,
          );
        const input = renderTemplates(step.input ?? {}, args.context) as Record<
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
        const context = {
          input,
          target: claim.entity,
          runbook,
          parameters: def.parameters,
          runId: claim.runId,
          targetId: claim.targetId,
          stepId: step.id,
          idempotencyKey: `${claim.runId}/${claim.targetId}/${step.id}`,
          attempt,
          dryRun: claim.dryRun,
          signal,
          secrets: this.options.secrets ?? {},
          logger: {
            info: (m: string) => log('info', m, step.id),
            warn: (m: string) => log('warn', m, step.id),
            error: (m: string) => log('error', m, step.id),
          },
        };
        // the step's directory is made when an executor first asks for it
        Object.defineProperty(context, 'workingDirectory', {
          enumerable: true,
          get: () =>
            (workingDirectory ??= mkdtempSync(join(tmpdir(), 'runbook-step-'))),
        });
        const result = await Promise.race([
          executor.execute(context as RunbookExecutorContext),
          // an executor that ignores its signal is abandoned on abort
          new Promise<never>((_, reject) => {
            if (signal.aborted) reject(signal.reason);
            signal.addEventListener('abort', () => reject(signal.reason));
          }),
        ]);
        const output = result?.output
          ? redactor.redactJson(result.output)
          : undefined;
        // the last step's result and the target's end commit together
        const saved = await store.completeStep(
          claim,
          stepRecord,
          { status: 'succeeded', output },
          this.takeLogs(claim.targetId),
          last ? { status: 'succeeded' } : undefined,
        );
        if (!saved.ok) throw new LostClaimError('claim lost');
        if (last) args.onTargetFinished(saved.runStatus);
        return { output };
      } catch (e) {
        if (
          e instanceof LostClaimError ||
          controller.signal.reason instanceof LostClaimError
        ) {
          throw new LostClaimError('claim lost');
        }
        const message = redactor.redact((e as Error)?.message ?? String(e));
        if (entry.cancelled) {
          log('warn', `Step ${step.id} cancelled`, step.id);
          await store.completeStep(
            claim,
            stepRecord,
            { status: 'cancelled', error: 'Run cancelled' },
            this.takeLogs(claim.targetId),
          );
          throw new CancelledError('Run cancelled');
        }
        log('error', `Step ${step.id} failed: ${message}`, step.id);
        await store.completeStep(
          claim,
          stepRecord,
          { status: 'failed', error: message },
          this.takeLogs(claim.targetId),
        );
        const retriable =
          !(e instanceof StepFailedError) &&
          !((e as any)?.name === 'InputError');
        if (!retriable || attempt > retries.count) {
          throw new StepFailedError(`Step ${step.id} failed: ${message}`);
        }
        const backoff =
          parseDuration(retries.backoff, 1000) * 2 ** (attempt - 1);
        log('info', `Retrying step ${step.id} in ${backoff} ms`, step.id);
        await sleep(backoff, controller.signal);
        if (controller.signal.aborted) {
          if (entry.cancelled) throw new CancelledError('Run cancelled');
          throw new LostClaimError('claim lost');
        }
      } finally {
        clearTimeout(timer);
        if (workingDirectory)
          await rm(workingDirectory, { recursive: true, force: true });
      }
    }
  }
}
