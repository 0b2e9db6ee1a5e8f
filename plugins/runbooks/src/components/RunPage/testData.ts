import {
  RunLogLine,
  RunSummary,
  StepStatus,
  TargetCounts,
  TargetRun,
} from '@fleetdeck/plugin-runbooks-common';
import { RunbooksApi } from '@fleetdeck/plugin-runbooks-react';

const zero: TargetCounts = {
  awaiting_approval: 0,
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  rejected: 0,
};

export function makeRun(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 'run-1',
    runbookRef: 'runbook:default/kafka-rolling-patch',
    runbookTitle: 'Kafka rolling patch',
    requestedBy: 'user:default/jonas.weber',
    status: 'running',
    dryRun: false,
    parameters: { version: '3.7.1', adminPassword: '***' },
    concurrency: 2,
    createdAt: '2026-11-21T10:00:00Z',
    total: 3,
    counts: { ...zero, succeeded: 1, failed: 1, running: 1 },
    ...overrides,
  };
}

const stepStatus: Partial<Record<TargetRun['status'], StepStatus>> = {
  succeeded: 'succeeded',
  failed: 'failed',
};

export function makeTarget(
  name: string,
  status: TargetRun['status'],
  extra: Partial<TargetRun> = {},
): TargetRun {
  return {
    id: `t-${name}`,
    runId: 'run-1',
    entityRef: `cluster:default/${name}`,
    title: name,
    status,
    needsApproval: false,
    claims: 1,
    startedAt: '2026-11-21T10:00:00Z',
    finishedAt: status === 'running' ? undefined : '2026-11-21T10:01:05Z',
    steps: [
      {
        stepId: 'patch',
        name: 'Patch brokers',
        executor: 'ansible',
        status: stepStatus[status] ?? 'running',
        attempts: 1,
      },
    ],
    ...extra,
  };
}

/**
 * A RunbooksApi whose methods are jest mocks over fixed data: each target's
 * log is one line, the run's own lines (no target) are `runLines`.
 */
export function mockRunbooksApi(
  run: RunSummary,
  targets: TargetRun[],
  runLines: RunLogLine[] = [],
): jest.Mocked<RunbooksApi> {
  return {
    listRunbooks: jest.fn(async () => ({ items: [] })),
    getRunbook: jest.fn(),
    startRun: jest.fn(),
    listRuns: jest.fn(async () => ({ items: [] })),
    getFleetMaintenance: jest.fn(),
    getRun: jest.fn(async (_id: string) => run),
    listTargets: jest.fn(async (_id, query) => {
      const items = query?.status
        ? targets.filter(t => query.status!.includes(t.status))
        : targets;
      return { items, totalCount: items.length };
    }),
    getTarget: jest.fn(
      async (_id, targetId) => targets.find(t => t.id === targetId)!,
    ),
    listLogs: jest.fn(async (_id, query) => {
      if (query?.scope === 'run') {
        const items = runLines.filter(
          l => query.after === undefined || l.id > query.after,
        );
        return {
          items,
          nextCursor: items[items.length - 1]?.id ?? query.after,
        };
      }
      return {
        items:
          query?.after === undefined
            ? [
                {
                  id: 1,
                  runId: run.id,
                  targetId: query?.targetId,
                  level: 'info' as const,
                  message: 'PLAY RECAP ok=3 changed=1 failed=0',
                  createdAt: run.createdAt,
                },
              ]
            : [],
        nextCursor: query?.after === undefined ? 1 : undefined,
      };
    }),
    streamRun: jest.fn(async (_id, { onEvent }) => {
      onEvent({ type: 'run', run });
    }),
    approve: jest.fn(async (_id: string) => run),
    reject: jest.fn(async (_id: string) => run),
    cancel: jest.fn(async (_id: string) => run),
    retryFailed: jest.fn(async (_id: string) => ({ ...run, id: 'run-2' })),
  };
}
