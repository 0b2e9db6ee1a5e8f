import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { readDurationFromConfig } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { changesPermissions } from '@fleetdeck/plugin-changes-common';
import { mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { ChangeStore } from './database/ChangeStore';
import { migrate } from './database/migrate';
import { DefaultRepositoryAccess } from './git/DefaultRepositoryAccess';
import { reviewHostFor } from './hosts';
import { createRouter } from './router/router';
import { CodeSearch } from './search';
import { ChangesService } from './service/ChangesService';
import { commitAuthors } from './service/commitAuthors';
import { PullRequestTracker } from './service/PullRequestTracker';
import { ChangeWorker } from './work/ChangeWorker';
import { RepositoryWork } from './work/RepositoryWork';

/**
 * Fleet-wide changes: code search over the repositories of catalog
 * entities, changes previewed per repository, applied as one branch, commit
 * and pull request in each, and tracked to merge.
 */
export const changesPlugin = createBackendPlugin({
  pluginId: 'changes',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.rootLifecycle,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const { config, logger, scheduler, auth, catalog } = deps;
        const settings = config.getOptionalConfig('changes');
        const workDir = resolve(
          settings?.getOptionalString('workDir') ??
            join(tmpdir(), 'fleetdeck-changes'),
        );
        mkdirSync(join(workDir, 'checkouts'), { recursive: true });
        const db = await deps.database.getClient();
        if (!deps.database.migrations?.skip) await migrate(db);

        const store = new ChangeStore(db);
        const access = DefaultRepositoryAccess.fromConfig(config, {
          workDir,
          logger,
        });
        const work = new RepositoryWork({
          access,
          hostFor: reviewHostFor,
          workDir: join(workDir, 'checkouts'),
          committer: {
            name: settings?.getOptionalString('committer.name') ?? 'Fleetdeck',
            email:
              settings?.getOptionalString('committer.email') ??
              'fleetdeck@localhost',
          },
        });
        const worker = new ChangeWorker({
          store,
          work,
          logger,
          auditor: deps.auditor,
          author: commitAuthors({ catalog, auth }),
          slots: settings?.getOptionalNumber('workerSlots') ?? 8,
        });
        const search = new CodeSearch({ mirrors: access.mirrors, logger });
        const tracker = new PullRequestTracker({
          store,
          access,
          hostFor: reviewHostFor,
          logger,
        });
        const service = new ChangesService({
          store,
          catalog,
          permissions: deps.permissions,
          auditor: deps.auditor,
          logger,
          access,
          search,
          tracker,
          wake: () => worker.wake(),
        });

        deps.permissionsRegistry.addPermissions(changesPermissions);
        deps.httpRouter.use(
          await createRouter({ httpAuth: deps.httpAuth, service }),
        );

        worker.start();
        deps.lifecycle.addShutdownHook(() => worker.stop());

        await scheduler.scheduleTask({
          id: 'changes-track-pull-requests',
          frequency: settings?.has('trackingFrequency')
            ? readDurationFromConfig(settings, { key: 'trackingFrequency' })
            : { minutes: 5 },
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
          frequency: settings?.has('mirrorRefreshFrequency')
            ? readDurationFromConfig(settings, {
                key: 'mirrorRefreshFrequency',
              })
            : { minutes: 30 },
          timeout: { hours: 1 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            const { items } = await catalog.getEntities(
              {
                filter: { kind: 'Component' },
                fields: [
                  'kind',
                  'metadata.namespace',
                  'metadata.name',
                  'metadata.annotations',
                ],
              },
              { credentials: await auth.getOwnServiceCredentials() },
            );
            let refreshed = 0;
            for (const entity of items) {
              try {
                await access.mirrors.refresh(access.resolve(entity));
                refreshed++;
              } catch (e) {
                logger.debug(
                  `No mirror for ${stringifyEntityRef(entity)}: ${e}`,
                );
              }
            }
            logger.info(`Refreshed ${refreshed} repository mirrors for search`);
          },
        });
      },
    });
  },
});
