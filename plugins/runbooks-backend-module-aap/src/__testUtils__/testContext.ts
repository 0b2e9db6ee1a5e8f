import { Entity } from '@backstage/catalog-model';
import { JsonValue } from '@backstage/types';
import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';
import { RunbookExecutorContext } from '@fleetdeck/plugin-runbooks-node';

/** One line an executor logged. */
export interface LoggedLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

/**
 * A hand-built executor context for one step on a target with `nodes`.
 * Its `checkpoint` keeps results in `checkpoints`: pre-fill it to play a
 * takeover after a crash.
 */
export function testContext(
  options: {
    input?: Record<string, unknown>;
    nodes?: string[];
    dryRun?: boolean;
    checkpoints?: Map<string, JsonValue>;
  } = {},
) {
  const lines: LoggedLine[] = [];
  const checkpoints = options.checkpoints ?? new Map<string, JsonValue>();
  const controller = new AbortController();
  const target: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'web-cluster', namespace: 'default' },
    spec: { type: 'cluster', owner: 'ops', nodes: options.nodes ?? ['web1'] },
  };
  const runbook = {
    apiVersion: 'fleetdeck.io/v1alpha1',
    kind: 'Runbook',
    metadata: { name: 'restart', namespace: 'default' },
    spec: { owner: 'ops', targets: { kind: 'Resource' }, steps: [] },
  } as unknown as RunbookEntityV1alpha1;
  const log = (level: LoggedLine['level']) => (message: string) =>
    lines.push({ level, message });
  const ctx: RunbookExecutorContext = {
    input: options.input ?? {},
    target,
    runbook,
    parameters: {},
    runId: 'run-1',
    targetId: 'target-1',
    stepId: 'launch',
    idempotencyKey: 'run-1/target-1/launch',
    attempt: 1,
    dryRun: options.dryRun ?? false,
    signal: controller.signal,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    secrets: {},
    redact: () => {},
    workingDirectory: '/nonexistent',
    async checkpoint<T extends JsonValue>(o: {
      key: string;
      fn: () => Promise<T> | T;
    }): Promise<T> {
      if (checkpoints.has(o.key)) return checkpoints.get(o.key) as T;
      const value = await o.fn();
      checkpoints.set(o.key, value);
      return value;
    },
  };
  return {
    ctx,
    lines,
    checkpoints,
    /** The logged messages, in order. */
    messages: () => lines.map(l => l.message),
    abort: (reason: unknown) => controller.abort(reason),
  };
}
