import { Entity } from '@backstage/catalog-model';
import {
  ALL_TARGET_STATUSES,
  RunbookEntityV1alpha1,
  RunLogLine,
  RunStatus,
  RunSummary,
  StepRun,
  StepStatus,
  TargetCounts,
  TargetRun,
  TargetStatus,
  TERMINAL_TARGET_STATUSES,
} from '@fleetdeck/plugin-runbooks-common';
import { approverRefs } from '../lib/ownerRef';
import {
  ClaimedTargetRow,
  DbBigInt,
  LogRow,
  RunRow,
  TargetRow,
} from './tables';
import { ClaimedTarget, StoredStep } from './types';

/** Rows to API objects: the one place that knows both shapes. */

/** States a target leaves on its own (a worker or a decision moves it on). */
export const NON_TERMINAL: TargetStatus[] = [
  'awaiting_approval',
  'pending',
  'running',
];

/** The target columns a claim returns ({@link ClaimedTargetRow}). */
export const CLAIMED_COLUMNS = [
  'id',
  'run_id',
  'position',
  'entity_ref',
  'entity',
  'claims',
  'steps',
] as const;

export const iso = (ms: DbBigInt | null | undefined) =>
  ms === null || ms === undefined
    ? undefined
    : new Date(Number(ms)).toISOString();

/** A JSON column, or undefined when it is empty. */
export function parseJson<T>(text: string | null | undefined): T | undefined {
  return typeof text === 'string' && text ? (JSON.parse(text) as T) : undefined;
}

/** The run's stored runbook entity (written by createRun). */
export const runbookOf = (row: Pick<RunRow, 'runbook'>) =>
  parseJson<RunbookEntityV1alpha1>(row.runbook);

/** Counts by status from `(status, count)` rows, every status present. */
export function toCounts(
  rows: readonly { status: TargetStatus; count: DbBigInt }[] = [],
): TargetCounts {
  const counts = Object.fromEntries(
    ALL_TARGET_STATUSES.map(s => [s, 0]),
  ) as TargetCounts;
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

export function toRunSummary(row: RunRow, counts: TargetCounts): RunSummary {
  const runbook = runbookOf(row);
  let status: RunStatus = row.status;
  if (
    status === 'running' &&
    counts.pending + counts.running === 0 &&
    counts.awaiting_approval > 0
  ) {
    status = 'awaiting_approval';
  }
  return {
    id: row.id,
    runbookRef: row.runbook_ref,
    runbookTitle: runbook?.metadata?.title,
    requestedBy: row.requested_by,
    status,
    dryRun: Boolean(row.dry_run),
    parameters: parseJson<Record<string, unknown>>(row.parameters) ?? {},
    concurrency: Number(row.concurrency),
    createdAt: iso(row.created_at)!,
    finishedAt: iso(row.finished_at),
    retryOf: row.retry_of ?? undefined,
    schedule: row.schedule ?? undefined,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    counts,
    approvers: approverRefs(
      runbook?.spec?.approval?.approvers,
      runbook?.metadata?.namespace,
    ),
    definition: row.definition_digest
      ? {
          digest: row.definition_digest,
          commit: row.definition_commit ?? undefined,
          source: row.definition_source ?? undefined,
        }
      : undefined,
  };
}

/** A target without its steps: what the live stream reports of a change. */
export function toTargetState(row: TargetRow): Omit<TargetRun, 'steps'> {
  const entity = parseJson<Entity>(row.entity);
  return {
    id: row.id,
    runId: row.run_id,
    entityRef: row.entity_ref,
    title: entity?.metadata?.title,
    status: row.status,
    needsApproval: Boolean(row.needs_approval),
    decidedBy: row.decided_by ?? undefined,
    decisionComment: row.decision_comment ?? undefined,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    claims: Number(row.claims),
    error: row.error ?? undefined,
  };
}

/** A target with one entry per runbook step, stored results merged in. */
export function toTargetRun(
  row: TargetRow,
  runbook: RunbookEntityV1alpha1 | undefined,
): TargetRun {
  const stored = parseJson<(StoredStep | null)[]>(row.steps) ?? [];
  const ended = TERMINAL_TARGET_STATUSES.includes(row.status);
  // a running target's first unfinished step is the one running
  let current = row.status === 'running';
  const steps: StepRun[] = (runbook?.spec?.steps ?? []).map((step, index) => {
    const s = stored[index] ?? undefined;
    let status: StepStatus = s?.status ?? (ended ? 'skipped' : 'pending');
    if (current && s?.status !== 'succeeded') {
      status = 'running';
      current = false;
    }
    return {
      stepId: step.id,
      name: step.name,
      executor: step.executor,
      status,
      attempts: s?.attempts ?? 0,
      startedAt: iso(s?.startedAt),
      finishedAt: iso(s?.finishedAt),
      output: s?.output as StepRun['output'],
      error: s?.error,
    };
  });
  return { ...toTargetState(row), steps };
}

export function toLogLine(row: LogRow): RunLogLine {
  return {
    id: Number(row.id),
    runId: row.run_id,
    targetId: row.target_id ?? undefined,
    stepId: row.step_id ?? undefined,
    level: row.level,
    message: row.message,
    createdAt: iso(row.created_at)!,
  };
}

/** The run settings a claimed target carries to its worker. */
export interface ClaimedRun {
  concurrency: number;
  dryRun: boolean;
  requestedBy: string;
}

export function toClaimed(
  row: ClaimedTargetRow,
  claimId: string,
  run: ClaimedRun,
): ClaimedTarget {
  return {
    targetId: row.id,
    runId: row.run_id,
    claimId,
    entityRef: row.entity_ref,
    entity: JSON.parse(row.entity),
    claims: Number(row.claims),
    concurrency: run.concurrency,
    dryRun: run.dryRun,
    requestedBy: run.requestedBy,
    steps: parseJson<(StoredStep | null)[]>(row.steps) ?? [],
  };
}
