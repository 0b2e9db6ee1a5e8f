import { NotFoundError } from '@backstage/errors';
import {
  FleetCertificateCheck,
  FleetMaintenanceResponse,
  ListLogsResponse,
  ListRunsResponse,
  ListTargetsResponse,
  RunSummary,
  TargetRun,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import { RunStore } from '../database/RunStore';
import { TARGET_CHANGES_OVERLAP_MS } from '../database/operations/listTargetChanges';
import { ListRunsOptions } from '../database/types';
import { maskedSummary } from './mappers';
import { RunAuthorizer } from './RunAuthorizer';
import { Caller } from './types';

export type { ListRunsOptions };

/** A target's state without its steps, as live streams send it. */
export type TargetChange = Omit<TargetRun, 'steps'>;

/**
 * Reading runs: each read checks `runbooks.read` on the run's runbook, then
 * asks the store once. Methods without a caller are for the plugin itself
 * (live streams after their own check, notifications, schedules).
 */
export class RunQueries {
  constructor(
    private readonly deps: { store: RunStore; authorizer: RunAuthorizer },
  ) {}

  /** A run with its secret parameters masked, unchecked. */
  async getRunSummary(runId: string): Promise<RunSummary> {
    return maskedSummary(await this.deps.store.getRunSummary(runId));
  }

  /** A run, if the caller may read its runbook. */
  async getRun(runId: string, caller: Caller): Promise<RunSummary> {
    const summary = await this.getRunSummary(runId);
    await this.deps.authorizer.assertCanRead(summary.runbookRef, caller);
    return summary;
  }

  /** A page of runs, newest first, of those the caller may read. */
  async listRuns(
    options: ListRunsOptions,
    caller: Caller,
  ): Promise<ListRunsResponse> {
    const { items, nextCursor } = await this.deps.store.listRuns(options);
    const readable = await this.deps.authorizer.readable(
      items.map(r => r.runbookRef),
      caller,
    );
    return {
      items: items
        .filter(r => readable.has(r.runbookRef))
        .map(r => maskedSummary(r)),
      nextCursor,
    };
  }

  /**
   * The fleet's maintenance at a glance: per runbook type and entity the
   * last success, per entity the latest TLS check, from the runs of the
   * runbooks the caller may read (as the runs list). Two aggregate reads of
   * the store, whatever the fleet's size, and one permission check per
   * runbook.
   */
  async fleetMaintenance(
    options: { kind?: string },
    caller: Caller,
  ): Promise<FleetMaintenanceResponse> {
    const [successes, checks] = await Promise.all([
      this.deps.store.lastSucceeded(options),
      this.deps.store.latestTlsChecks(options),
    ]);
    const readable = await this.deps.authorizer.readable(
      [...successes, ...checks].map(r => r.runbookRef),
      caller,
    );
    const byType = new Map<string, Map<string, number>>();
    for (const s of successes) {
      if (!readable.has(s.runbookRef)) continue;
      const entities = byType.get(s.runbookType) ?? new Map<string, number>();
      byType.set(s.runbookType, entities);
      entities.set(
        s.entityRef,
        Math.max(entities.get(s.entityRef) ?? 0, s.finishedAt),
      );
    }
    // an entity checked by several readable runbooks: the latest check wins
    const latest = new Map<string, (typeof checks)[number]>();
    for (const c of checks) {
      if (!readable.has(c.runbookRef)) continue;
      const seen = latest.get(c.entityRef);
      if (!seen || c.finishedAt > seen.finishedAt) latest.set(c.entityRef, c);
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    // fromEntries: a type or ref named like an Object property stays data
    return {
      lastSucceeded: Object.fromEntries(
        [...byType].map(([type, entities]) => [
          type,
          Object.fromEntries([...entities].map(([ref, ms]) => [ref, iso(ms)])),
        ]),
      ),
      certificates: Object.fromEntries(
        [...latest].map(([ref, c]): [string, FleetCertificateCheck] => [
          ref,
          {
            checkedAt: iso(c.finishedAt),
            runId: c.runId,
            ...(c.minDaysLeft === undefined
              ? {}
              : { minDaysLeft: c.minDaysLeft }),
          },
        ]),
      ),
    };
  }

  async listTargets(
    options: {
      runId: string;
      status?: TargetStatus[];
      offset: number;
      limit: number;
    },
    caller: Caller,
  ): Promise<ListTargetsResponse> {
    await this.getRun(options.runId, caller);
    return this.deps.store.listTargets(options);
  }

  async getTarget(
    runId: string,
    targetId: string,
    caller: Caller,
  ): Promise<TargetRun> {
    await this.getRun(runId, caller);
    const { items } = await this.deps.store.listTargets({
      runId,
      targetIds: [targetId],
      offset: 0,
      limit: 1,
    });
    if (!items.length) {
      throw new NotFoundError(`No target ${targetId} in this run`);
    }
    return items[0];
  }

  /** A page of a run's log lines; `targetId: null` pages the run's own lines. */
  async listLogs(
    options: {
      runId: string;
      targetId?: string | null;
      after?: number;
      limit: number;
    },
    caller: Caller,
  ): Promise<ListLogsResponse> {
    await this.getRun(options.runId, caller);
    return this.deps.store.listLogs(options);
  }

  /** Log lines after `after`, unchecked (a live stream checked at connect). */
  async logsSince(options: {
    runId: string;
    targetId?: string;
    after?: number;
    limit: number;
  }): Promise<ListLogsResponse> {
    return this.deps.store.listLogs(options);
  }

  /**
   * Targets whose status changed since the `cursor` of an earlier call (all
   * of them without), unchecked, for live streams. It reads again the last
   * few seconds before `since` (a change committed late carries an earlier
   * time), so callers see some targets twice.
   */
  async targetChangesSince(options: {
    runId: string;
    since?: number;
  }): Promise<{ items: TargetChange[]; cursor: number }> {
    const items: TargetChange[] = [];
    let since =
      options.since === undefined
        ? undefined
        : Math.max(0, options.since - TARGET_CHANGES_OVERLAP_MS);
    for (;;) {
      const page = await this.deps.store.listTargetChanges({
        runId: options.runId,
        since,
      });
      items.push(...page.items);
      if (!page.more) {
        return { items, cursor: Math.max(page.cursor, options.since ?? 0) };
      }
      since = page.cursor;
    }
  }
}
