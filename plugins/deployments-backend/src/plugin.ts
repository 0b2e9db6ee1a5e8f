import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { MirrorManager } from '@fleetdeck/fleetdeck-node';
import { deploymentsPermissions } from '@fleetdeck/plugin-deployments-common';
import {
  DeploymentPullSource,
  deploymentsPullSourcesExtensionPoint,
} from '@fleetdeck/plugin-deployments-node';
import { readDeploymentsConfig } from './config';
import { DeploymentStore } from './database/DeploymentStore';
import { DiffCacheStore } from './database/DiffCacheStore';
import { migrate } from './database/migrate';
import { PullRequestStore } from './database/PullRequestStore';
import { CommitLinker } from './enrichment/CommitLinker';
import { GitHubPullRequests } from './enrichment/GitHubPullRequests';
import { repositoryResolverFromConfig } from './git/repositoryResolverFromConfig';
import { createRouter } from './router';
import { DeploymentsService } from './service/DeploymentsService';
import { DiffService } from './service/DiffService';
import { DiffWarmer } from './service/DiffWarmer';
import { DriftService } from './service/DriftService';
import { FileDeploymentSource } from './sources/FileDeploymentSource';
import { runPullSource } from './sources/runPullSource';

/**
 * The deployments backend: ingestion API, pull sources, git mirrors, the diff
 * engine and the drift summary.
 */
export const deploymentsPlugin = createBackendPlugin({
  pluginId: 'deployments',
  register(env) {
    const sources: DeploymentPullSource[] = [];
    env.registerExtensionPoint(deploymentsPullSourcesExtensionPoint, {
      addPullSource(...added) {
        sources.push(...added);
      },
    });
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
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const { config, logger, scheduler, auth, catalog } = deps;
        const settings = readDeploymentsConfig(config);
        const db = await deps.database.getClient();
        if (!deps.database.migrations?.skip) await migrate(db);

        const store = new DeploymentStore(db);
        const cache = new DiffCacheStore(db);
        const pulls = new PullRequestStore(db);
        const integrations = ScmIntegrations.fromConfig(config);
        const resolver = repositoryResolverFromConfig(config);
        const mirrors = new MirrorManager({
          cacheDir: settings.cacheDir,
          logger,
          auth: repo => resolver.gitAuth(repo),
        });
        const diff = new DiffService({
          mirrors,
          cache,
          pulls,
          linker: CommitLinker.fromConfig(config),
          github: new GitHubPullRequests({
            integrations,
            store: pulls,
            logger,
          }),
          maxCommits: settings.maxCommits,
        });
        const warmer = new DiffWarmer(diff, logger);
        const common = {
          store,
          catalog,
          auth,
          resolver,
          warmer,
          environments: settings.environments,
          productionEnvironment: settings.productionEnvironment,
        };
        const service = new DeploymentsService({
          ...common,
          mirrors,
          diff,
          logger,
        });
        const drift = new DriftService({ ...common, cache });

        deps.permissionsRegistry.addPermissions(deploymentsPermissions);
        deps.httpRouter.use(
          await createRouter({ ...deps, service, store, diff, drift }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/v1/deployments',
          allow: 'unauthenticated',
        });

        if (settings.importFiles) {
          sources.push(
            new FileDeploymentSource(
              settings.importFiles.paths,
              settings.importFiles.schedule,
            ),
          );
        }
        for (const source of sources) {
          await scheduler.scheduleTask({
            id: `deployments-pull-${source.id}`,
            ...source.schedule,
            fn: async signal => {
              await runPullSource(
                source,
                service,
                logger,
                deps.auditor,
                signal,
              );
            },
          });
        }
        await scheduler.scheduleTask({
          id: 'deployments-mirror-sync',
          ...settings.syncSchedule,
          fn: () => service.syncAll(),
        });
      },
    });
  },
});
