import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { changesPermissions } from '@fleetdeck/plugin-changes-common';
import { mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { registerChangesActions } from './actions';
import { ChangeStore } from './database/ChangeStore';
import { migrate } from './database/migrate';
import { DefaultRepositoryAccess } from './git/DefaultRepositoryAccess';
import { reviewHostFor } from './hosts';
import { TrustedRecipes } from './recipes';
import { createRouter } from './router/router';
import { scheduleChangesTasks } from './scheduledTasks';
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
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const { config, logger, scheduler, auth, catalog } = deps;
        const settings = config.getOptionalConfig('changes');
        // first: a broken recipe stops the startup before anything else runs
        const recipes = TrustedRecipes.fromConfig(config);
        const millis = (key: string) => {
          const value = settings?.getOptionalNumber(key);
          return value === undefined ? undefined : value * 1000;
        };
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
          heartbeatMs: millis('worker.heartbeatSeconds'),
          staleMs: millis('worker.staleSeconds'),
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
          recipes,
          wake: () => worker.wake(),
        });

        if (recipes.names().length) {
          logger.info(
            `Recipes from changes.recipes: ${recipes.names().join(', ')}`,
          );
        }
        deps.permissionsRegistry.addPermissions(changesPermissions);
        deps.httpRouter.use(
          await createRouter({ httpAuth: deps.httpAuth, service }),
        );
        registerChangesActions({
          actionsRegistry: deps.actionsRegistry,
          service,
        });

        worker.start();
        deps.lifecycle.addShutdownHook(() => worker.stop());

        await scheduleChangesTasks({
          scheduler,
          settings,
          store,
          tracker,
          access,
          catalog,
          auth,
          logger,
        });
      },
    });
  },
});
