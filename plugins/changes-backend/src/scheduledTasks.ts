import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { HumanDuration } from '@backstage/types';
import { ChangeStore } from './database/ChangeStore';
import { DefaultRepositoryAccess } from './git/DefaultRepositoryAccess';
import { PullRequestTracker } from './service/PullRequestTracker';

function duration(
  settings: Config | undefined,
  key: string,
  fallback: HumanDuration,
): HumanDuration {
  return settings?.has(key)
    ? readDurationFromConfig(settings, { key })
    : fallback;
}

/**
 * The plugin's scheduled work, run by one replica at a time: reading open
 * pull requests from their hosts, and fetching every repository mirror that
 * code search reads.
 */
export async function scheduleChangesTasks(deps: {
  scheduler: SchedulerService;
  settings?: Config;
  store: ChangeStore;
  tracker: PullRequestTracker;
  access: DefaultRepositoryAccess;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
}) {
  const { scheduler, settings, store, tracker, access, logger } = deps;
  await scheduler.scheduleTask({
    id: 'changes-track-pull-requests',
    frequency: duration(settings, 'trackingFrequency', { minutes: 5 }),
    timeout: { minutes: 10 },
    fn: async () => {
      const rows = await store.openPullRequests(500);
      await tracker.track(
        rows.map(r => ({
          changeId: r.change_id,
          entityRef: r.entity_ref,
          url: r.repo_url,
          pullRequest: {
            url: r.pr_url ?? '',
            ...(r.pr_number ? { number: r.pr_number } : {}),
          },
          etag: r.pr_etag ?? undefined,
        })),
      );
    },
  });
  await scheduler.scheduleTask({
    id: 'changes-mirror-refresh',
    frequency: duration(settings, 'mirrorRefreshFrequency', { minutes: 30 }),
    timeout: { hours: 1 },
    initialDelay: { seconds: 30 },
    fn: async () => {
      const { items } = await deps.catalog.getEntities(
        {
          filter: { kind: 'Component' },
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'metadata.annotations',
          ],
        },
        { credentials: await deps.auth.getOwnServiceCredentials() },
      );
      let refreshed = 0;
      for (const entity of items) {
        try {
          await access.mirrors.refresh(access.resolve(entity));
          refreshed++;
        } catch (e) {
          logger.debug(`No mirror for ${stringifyEntityRef(entity)}: ${e}`);
        }
      }
      logger.info(`Refreshed ${refreshed} repository mirrors for search`);
    },
  });
}
