import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ChangeRepository,
  ChangeRepositoryState,
} from '@fleetdeck/plugin-changes-common';
import { ChangeStore } from '../database/ChangeStore';
import { RepositoryAccess } from '../git/RepositoryAccess';
import { ReviewHost } from '../hosts';

/** An open pull request to read from its host. */
export interface TrackedPullRequest {
  changeId: string;
  entityRef: string;
  url: string;
  pullRequest: { number?: number; url: string };
  /** From the last read: an unchanged pull request then costs a free 304. */
  etag?: string;
}

/**
 * Follows changes' pull requests on their hosts to merge (state and checks),
 * and closes them. A host that fails is logged and tried again next time;
 * it never stops the others.
 */
export class PullRequestTracker {
  constructor(
    private readonly deps: {
      store: ChangeStore;
      access: RepositoryAccess;
      hostFor: (url: string) => ReviewHost;
      logger: LoggerService;
    },
  ) {}

  /** Reads each pull request's state and checks, and settles the changes. */
  async track(rows: TrackedPullRequest[]) {
    const { store, access, hostFor, logger } = this.deps;
    for (const row of rows) {
      try {
        const status = await hostFor(row.url).readPullRequest(
          access.host(row.url),
          row.pullRequest,
          row.etag,
        );
        if (!status) continue;
        const state: ChangeRepositoryState =
          status.state === 'open' ? 'pr_open' : status.state;
        await store.update(row.changeId, row.entityRef, {
          state,
          checks: status.checks ?? null,
          ...(status.etag ? { prEtag: status.etag } : {}),
        });
      } catch (e) {
        logger.warn(
          `Reading the pull request of change ${row.changeId} in ${row.entityRef} failed: ${e}`,
        );
      }
    }
    for (const changeId of new Set(rows.map(r => r.changeId))) {
      await store.settle(changeId);
    }
  }

  /** Closes the open pull requests of a change; a failure is kept on its row. */
  async closeAll(
    changeId: string,
    open: ChangeRepository[],
  ): Promise<{ closed: number; failed: number }> {
    const { store, access, hostFor } = this.deps;
    let closed = 0;
    let failed = 0;
    for (const repo of open) {
      if (!repo.pullRequest) continue;
      try {
        await hostFor(repo.repository.url).closePullRequest(
          access.host(repo.repository.url),
          repo.pullRequest,
        );
        await store.update(changeId, repo.entityRef, { state: 'closed' });
        closed++;
      } catch (e) {
        failed++;
        await store.update(changeId, repo.entityRef, {
          error: (e as Error).message,
        });
      }
    }
    return { closed, failed };
  }
}
