import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isRunbookEntity,
  parseDuration,
  RunbookEntityV1alpha1,
} from '@fleetdeck/plugin-runbooks-common';
import { latestOccurrence } from './nextOccurrence';
import { RunStore } from '../database/RunStore';
import { RunbooksService } from './RunbooksService';

/**
 * Starts the runs of scheduled runbooks. One scheduler task (exclusive across
 * replicas) checks every interval which cron occurrences are due; the
 * schedule table makes each occurrence fire once even if two checks overlap.
 * Missed occurrences (the portal was down) fire once, not once each.
 *
 * Replicas' clocks differ, so which of them fires an occurrence is not
 * decided by time: each reads the occurrence last fired, computes from it
 * and the cron expression the latest occurrence due by its own clock, and
 * fires only if its compare-and-set from the value it read wins. Of replicas
 * that read the same value one wins; a replica that reads the new value
 * finds nothing due until the next occurrence.
 * A schedule acts for the runbook's owner: its run gets only the matching
 * targets that group owns (see `RunbooksService.startScheduledRun`).
 */
export class ScheduleRunner {
  constructor(
    private readonly deps: {
      service: RunbooksService;
      store: RunStore;
      catalog: CatalogService;
      auth: AuthService;
      scheduler: SchedulerService;
      logger: LoggerService;
      /** This replica's clock (tests skew it). */
      clock?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  async start(interval: string) {
    const ms = parseDuration(interval, 60_000);
    await this.deps.scheduler.scheduleTask({
      id: 'runbooks-schedules',
      frequency: { milliseconds: ms },
      timeout: { minutes: 10 },
      initialDelay: { seconds: 10 },
      fn: async () => {
        await this.tick();
      },
    });
  }

  /** Starts the runs due at `now`; returns the ids of the runs it started. */
  async tick(now: Date = this.now()): Promise<string[]> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { items } = await this.deps.catalog.getEntities(
      { filter: { kind: 'Runbook' } },
      { credentials },
    );
    const started: string[] = [];
    for (const entity of items) {
      if (!isRunbookEntity(entity)) continue;
      const runbook = entity as RunbookEntityV1alpha1;
      const schedule = runbook.spec.schedule;
      if (!schedule) continue;
      const ref = stringifyEntityRef(runbook);
      try {
        const last = await this.deps.store.lastScheduleFire(ref);
        if (last === undefined) {
          // first sighting: start counting from now, do not fire at once
          await this.deps.store.markScheduleFired(ref, now.getTime(), last);
          continue;
        }
        const due = latestOccurrence(schedule.cron, new Date(last), now);
        if (!due) continue;
        const store = this.deps.store;
        if (!(await store.markScheduleFired(ref, due.getTime(), last))) {
          continue; // another replica fired it
        }
        // the service keeps the run to the targets the runbook's owner owns
        const run = await this.deps.service.startScheduledRun(runbook, {
          credentials,
        });
        this.deps.logger.info(
          `Scheduled run ${run.id} of ${ref} started on ${run.total} targets`,
        );
        started.push(run.id);
      } catch (e) {
        // the occurrence stays consumed: the next one tries again
        this.deps.logger.error(`Scheduled run of ${ref} failed to start: ${e}`);
      }
    }
    return started;
  }
}
