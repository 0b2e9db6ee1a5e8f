import {
  RunbookApproval,
  RunbookEntityFilter,
  RunbookSchedule,
} from './entity';

/**
 * Stored state of a run. A running run whose remaining targets all wait for
 * approval is reported as `awaiting_approval`.
 * @public
 */
export type RunStatus =
  | 'awaiting_approval'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

/** State of one target of a run. @public */
export type TargetStatus =
  | 'awaiting_approval'
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'rejected';

/** Every state of a target, in the order a target moves through them. @public */
export const ALL_TARGET_STATUSES: TargetStatus[] = [
  'awaiting_approval',
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
];

/** States a target never leaves. @public */
export const TERMINAL_TARGET_STATUSES: TargetStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
];

/** State of one step on one target. @public */
export type StepStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'skipped';

/** A runbook as the API lists it. @public */
export interface RunbookSummary {
  entityRef: string;
  name: string;
  title?: string;
  description?: string;
  owner: string;
  targets: RunbookEntityFilter;
  /** JSON schema of the parameters, for a generated form. */
  parameters?: Record<string, unknown>;
  steps: { id: string; name?: string; executor: string }[];
  concurrency: number;
  approval?: RunbookApproval;
  schedule?: RunbookSchedule & { nextRunAt?: string };
  dryRunSupported: boolean;
  /** Untrusted runbooks are listed but cannot be started. */
  trust: RunbookTrust;
}

/** GET /runbooks?entityRef=... @public */
export interface ListRunbooksResponse {
  items: RunbookSummary[];
  /** With `entityRef`: whether runbooks may act on that entity at all. */
  target?: RunbookTrust;
}

/** POST /runs @public */
export interface StartRunRequest {
  /** Entity ref of the Runbook, e.g. `runbook:default/kafka-rolling-patch`. */
  runbookRef: string;
  /** Entity refs of the targets; omitted means every entity the runbook's filter matches. */
  targets?: string[];
  parameters?: Record<string, unknown>;
  dryRun?: boolean;
}

/** Target counts of a run, by state. @public */
export type TargetCounts = Record<TargetStatus, number>;

/** A run without its targets. @public */
export interface RunSummary {
  id: string;
  runbookRef: string;
  runbookTitle?: string;
  /**
   * Who started the run: a user ref, or `schedule:<runbook ref>` when the
   * runbook's schedule did (see {@link scheduledRunbookRef}).
   */
  requestedBy: string;
  status: RunStatus;
  dryRun: boolean;
  /** Parameters as given; values of secret parameters are masked. */
  parameters: Record<string, unknown>;
  concurrency: number;
  createdAt: string;
  finishedAt?: string;
  /** The run this one retries the failed targets of. */
  retryOf?: string;
  /** Set when a schedule started the run. */
  schedule?: string;
  total: number;
  counts: TargetCounts;
  /** Approver groups when some targets need approval. */
  approvers?: string[];
  /**
   * The runbook's files as the run pinned them when it started: every
   * target runs these, whatever is pushed meanwhile.
   */
  definition?: RunDefinitionPin;
}

/** What a run executes, pinned at its start. @public */
export interface RunDefinitionPin {
  /** `sha256:` digest of the runbook folder's paths and contents. */
  digest: string;
  /** The git commit they came from, where the source is git. */
  commit?: string;
  /** The folder or URL they were read from. */
  source?: string;
}

/**
 * Whether a runbook may run, or an entity be acted on: only definitions and
 * targets from trusted sources (`runbooks.trustedSources`) may. @public
 */
export interface RunbookTrust {
  trusted: boolean;
  /** Why not, naming the setting that would allow it. */
  reason?: string;
}

/** One step of one target. @public */
export interface StepRun {
  stepId: string;
  name?: string;
  executor: string;
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  output?: Record<string, unknown>;
  error?: string;
}

/** One target of a run, with its steps. @public */
export interface TargetRun {
  id: string;
  runId: string;
  entityRef: string;
  title?: string;
  status: TargetStatus;
  needsApproval: boolean;
  decidedBy?: string;
  decisionComment?: string;
  startedAt?: string;
  finishedAt?: string;
  /** How often a worker claimed the target (more than 1 after a crash). */
  claims: number;
  error?: string;
  steps: StepRun[];
}

/** GET /runs @public */
export interface ListRunsResponse {
  items: RunSummary[];
  /** Pass as `cursor` for the next (older) page. */
  nextCursor?: string;
}

/** GET /runs/:id/targets?status=&offset=&limit= @public */
export interface ListTargetsResponse {
  items: TargetRun[];
  totalCount: number;
}

/** One log line; lines are redacted before they are stored. @public */
export interface RunLogLine {
  /** Increasing id, usable as the `after` cursor. */
  id: number;
  runId: string;
  targetId?: string;
  stepId?: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  createdAt: string;
}

/**
 * GET /runs/:id/logs?targetId=&scope=&after=&limit=; `scope=run` lists only
 * the run's own lines (those of no target, such as the targets a schedule
 * left out) and excludes `targetId`.
 * @public
 */
export interface ListLogsResponse {
  items: RunLogLine[];
  /** Pass as `after` to continue; absent when no line was returned. */
  nextCursor?: number;
}

/** POST /runs/:id/approve and /runs/:id/reject @public */
export interface ApprovalRequest {
  /** Targets to decide on; omitted means every target waiting for approval. */
  targetIds?: string[];
  comment?: string;
}

/**
 * Events of GET /runs/:id/stream (server-sent events, `event:` is the type)
 * and the payload of signals on the {@link runSignalChannel} channel.
 * @public
 */
export type RunStreamEvent =
  | { type: 'log'; line: RunLogLine }
  | { type: 'target'; target: Omit<TargetRun, 'steps'> }
  | { type: 'run'; run: RunSummary };

/** Signal published when a run or one of its targets changes state. @public */
export interface RunSignal {
  type: 'run' | 'target';
  runId: string;
  targetId?: string;
  status: RunStatus | TargetStatus;
}

/** The signals channel of one run. @public */
export function runSignalChannel(runId: string) {
  return `runbooks:run:${runId}`;
}

const SCHEDULE_REQUESTER_PREFIX = 'schedule:';

/**
 * The `requestedBy` of runs a runbook's schedule starts, e.g.
 * `schedule:runbook:default/nightly-backup`. A schedule acts for the
 * runbook's owner, so audit events and run lists name the schedule.
 * @public
 */
export function scheduleRequester(runbookRef: string): string {
  return `${SCHEDULE_REQUESTER_PREFIX}${runbookRef}`;
}

/**
 * The runbook whose schedule started a run, from its `requestedBy`;
 * undefined when a person or a service started it.
 * @public
 */
export function scheduledRunbookRef(requestedBy: string): string | undefined {
  return requestedBy.startsWith(SCHEDULE_REQUESTER_PREFIX)
    ? requestedBy.slice(SCHEDULE_REQUESTER_PREFIX.length)
    : undefined;
}

/** An entity's latest TLS certificate check. @public */
export interface FleetCertificateCheck {
  /** When the check ended on the entity. */
  checkedAt: string;
  runId: string;
  /**
   * The fewest days left of the certificates it found (negative: expired),
   * whether the check passed or failed on them; absent when it found none
   * (e.g. no endpoint answered).
   */
  minDaysLeft?: number;
}

/**
 * GET /fleet/maintenance?kind=: the fleet's maintenance at a glance, from
 * the runs of the runbooks the caller may read. Dry runs do not count.
 * @public
 */
export interface FleetMaintenanceResponse {
  /**
   * Per runbook type (`spec.type`: patch, backup, security, check, ...), per
   * entity ref, when a runbook of that type last succeeded on it (ISO time).
   * Entities without a success are absent.
   */
  lastSucceeded: Record<string, Record<string, string>>;
  /**
   * Per entity ref, its latest TLS check: the newest ended target of a run
   * whose runbook has a `tls` step.
   */
  certificates: Record<string, FleetCertificateCheck>;
}
