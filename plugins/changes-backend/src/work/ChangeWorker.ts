import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { audited } from '@fleetdeck/fleetdeck-node';
import { randomUUID } from 'crypto';
import { ChangeStore, ClaimedRepository } from '../database/ChangeStore';
import { ChangeToApply, Person, RepositoryWork } from './RepositoryWork';

/** How long an apply may fail and be tried again before the row fails for good. */
const MAX_ATTEMPTS = 3;

/**
 * The loop that previews and applies changes, one per backend replica. It
 * claims rows from the store (each change's concurrency kept across
 * replicas), heartbeats them while it works, and takes over rows whose
 * worker died. Everything a row needs is in the store, so a `kill -9` loses
 * nothing: the next worker starts the row's work again, and the work is
 * idempotent.
 */
export class ChangeWorker {
  readonly workerId = `changes-${randomUUID()}`;
  private readonly running = new Map<string, AbortController>();
  private readonly changes = new Map<string, Promise<ChangeToApply>>();
  private timers: NodeJS.Timeout[] = [];
  private ticking = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly options: {
      store: ChangeStore;
      work: RepositoryWork;
      logger: LoggerService;
      auditor?: AuditorService;
      /** The commit author for the person who applied. */
      author: (userRef: string) => Promise<Person>;
      slots?: number;
      pollMs?: number;
      heartbeatMs?: number;
      /** A claim whose heartbeat is older than this is taken over. */
      staleMs?: number;
    },
  ) {}

  start() {
    const { pollMs = 1000, heartbeatMs = 5000 } = this.options;
    this.timers.push(
      setInterval(() => this.wake(), pollMs),
      setInterval(() => {
        if (this.running.size) {
          this.options.store
            .heartbeat(this.workerId)
            .catch(e =>
              this.options.logger.warn(`Change heartbeat failed: ${e}`),
            );
        }
      }, heartbeatMs),
    );
    this.wake();
  }

  async stop() {
    this.stopped = true;
    this.timers.forEach(t => clearInterval(t));
    this.timers = [];
    for (const c of this.running.values()) c.abort();
  }

  /** Looks for work now (after a change was created or applied). */
  wake() {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    this.tick()
      .catch(e =>
        this.options.logger.warn(`Looking for change work failed: ${e}`),
      )
      .finally(() => {
        this.ticking = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async tick() {
    const { slots = 8, staleMs = 30_000 } = this.options;
    const claimed = await this.options.store.claim({
      workerId: this.workerId,
      limit: slots - this.running.size,
      staleBefore: Date.now() - staleMs,
    });
    for (const row of claimed) {
      const key = `${row.changeId}\0${row.entityRef}`;
      const controller = new AbortController();
      this.running.set(key, controller);
      this.run(row, controller.signal).finally(() => {
        this.running.delete(key);
        this.wake();
      });
    }
  }

  private async run(row: ClaimedRepository, signal: AbortSignal) {
    const { store, logger } = this.options;
    try {
      const change = await this.change(row.changeId);
      if (row.state === 'pending') {
        const result = await this.options.work.preview(
          change,
          row.repoUrl,
          signal,
        );
        await store.record(row, this.workerId, result);
        return;
      }
      await this.apply(change, row, signal);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const retry =
        row.state === 'applying' &&
        row.attempts < MAX_ATTEMPTS &&
        isTransient(message);
      logger.warn(
        `Change ${row.changeId} in ${row.entityRef} failed (attempt ${
          row.attempts
        }${retry ? ', will retry' : ''}): ${message}`,
      );
      await store
        .record(row, this.workerId, {
          state: retry ? 'queued' : 'failed',
          error: message,
        })
        .catch(err =>
          logger.error(`Recording a change failure failed: ${err}`),
        );
    }
  }

  private async apply(
    change: ChangeToApply,
    row: ClaimedRepository,
    signal: AbortSignal,
  ) {
    const { store } = this.options;
    const actor = row.appliedBy ?? 'unknown';
    await audited(
      this.options.auditor,
      {
        eventId: 'change-apply',
        actor,
        meta: {
          changeId: change.id,
          entityRef: row.entityRef,
          attempt: row.attempts,
        },
      },
      async outcome => {
        const author = await this.options.author(actor);
        const result = await this.options.work.apply(
          change,
          row.repoUrl,
          author,
          async pushed => {
            // the commit is recorded, the row stays `applying` until the pull
            // request is open: a row left `pushed` by a worker that died here
            // would never be claimed again
            const progress = { ...pushed, state: 'applying' as const };
            if (!(await store.record(row, this.workerId, progress, false))) {
              throw new Error(
                'The claim on this repository was taken over by another worker',
              );
            }
          },
          signal,
        );
        outcome.state = result.state;
        if (result.commitSha) outcome.commitSha = result.commitSha;
        if (result.prUrl) outcome.pullRequest = result.prUrl;
        await store.record(row, this.workerId, result);
      },
    );
  }

  private change(id: string): Promise<ChangeToApply> {
    let change = this.changes.get(id);
    if (!change) {
      change = this.options.store.getChangeRow(id).then(row => ({
        id: row.id,
        title: row.title,
        description: row.description,
        branch: row.branch,
        recipe: JSON.parse(row.recipe),
        trusted: Boolean(row.trusted),
      }));
      change.catch(() => this.changes.delete(id));
      this.changes.set(id, change);
    }
    return change;
  }
}

/** Errors worth another attempt: the network or the host, not the change itself. */
function isTransient(message: string): boolean {
  return /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|socket hang up|timed out|Could not resolve host|Failed to connect|HTTP 5\d\d|status code 5\d\d|\b50[234]\b|rate limit/i.test(
    message,
  );
}
