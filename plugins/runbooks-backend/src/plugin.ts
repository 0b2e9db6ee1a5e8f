import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  parseDuration,
  runbooksPermissions,
} from '@fleetdeck/plugin-runbooks-common';
import {
  redactingLogger,
  Redactor,
  RunbookExecutor,
  runbooksExecutorsExtensionPoint,
} from '@fleetdeck/plugin-runbooks-node';
import { hostname } from 'os';
import { randomBytes } from 'crypto';
import { RunStore } from './database/RunStore';
import { RunWorker } from './engine/RunWorker';
import { ParameterVault } from './engine/secrets';
import { DefinitionSnapshots } from './trust/DefinitionSnapshots';
import { SecretScopes } from './trust/SecretScopes';
import { TrustPolicy } from './trust/TrustPolicy';
import { RunbooksService } from './service/RunbooksService';
import { RunNotifier } from './service/RunNotifier';
import { createRouter } from './service/router';
import { ScheduleRunner } from './service/ScheduleRunner';
import { registerRunbookActions } from './actions/registerRunbookActions';

/**
 * The runbooks backend: run store, fan-out workers, approvals, schedules and
 * the HTTP API. Executors come from modules through
 * `runbooksExecutorsExtensionPoint`.
 * @public
 */
export const runbooksPlugin = createBackendPlugin({
  pluginId: 'runbooks',
  register(env) {
    const executors = new Map<string, RunbookExecutor>();
    env.registerExtensionPoint(runbooksExecutorsExtensionPoint, {
      addExecutor(...added) {
        for (const executor of added) {
          if (executors.has(executor.id)) {
            throw new Error(
              `Runbook executor '${executor.id}' is registered twice`,
            );
          }
          executors.set(executor.id, executor);
        }
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        urlReader: coreServices.urlReader,
        catalog: catalogServiceRef,
        signals: signalsServiceRef,
        notifications: notificationService,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const { config } = deps;
        deps.permissionsRegistry.addPermissions(runbooksPermissions);
        const store = await RunStore.create({ database: deps.database });
        const workerConfig = config.getOptionalConfig('runbooks.worker');
        const duration = (key: string, fallback: number) =>
          parseDuration(workerConfig?.getOptionalString(key), fallback);
        const secrets = SecretScopes.fromConfig(config);
        // every configured secret, whatever its scope, is redacted from what
        // the plugin logs (schedules, finished runs) and notifies
        const redactor = new Redactor(secrets.values());
        const logger = redactingLogger(deps.logger, redactor);
        const trust = TrustPolicy.fromConfig(config);
        const notifier = new RunNotifier({
          logger,
          signals: deps.signals,
          notifications: deps.notifications,
          store,
          redactor,
        });
        // the worker reports finished runs through the service (defined below)
        const finishedRuns = {
          report: (_runId: string) => {},
        };
        const vault = ParameterVault.fromConfig(config);
        const worker = new RunWorker({
          store,
          executors,
          vault,
          logger: logger.child({ component: 'runbooks-worker' }),
          workerId: `${hostname()}:${process.pid}:${randomBytes(3).toString(
            'hex',
          )}`,
          secrets,
          trust,
          maxParallel: workerConfig?.getOptionalNumber('maxParallel') ?? 50,
          pollIntervalMs: duration('pollInterval', 1000),
          heartbeatIntervalMs: duration('heartbeatInterval', 5000),
          staleAfterMs: duration('staleAfter', 60_000),
          defaultTimeoutMs: duration('defaultTimeout', 30 * 60_000),
          events: {
            targetChanged: (runId, targetId, status) =>
              notifier.targetChanged(runId, targetId, status),
            runFinished: runId => finishedRuns.report(runId),
          },
        });
        const service = new RunbooksService({
          store,
          catalog: deps.catalog,
          permissions: deps.permissions,
          userInfo: deps.userInfo,
          auditor: deps.auditor,
          logger,
          notifier,
          wake: () => worker.wake(),
          abortRun: runId => worker.abortRun(runId),
          vault,
          trust,
          secrets,
          snapshots: new DefinitionSnapshots(deps.urlReader),
        });
        finishedRuns.report = runId => {
          service
            .getRunSummary(runId)
            .then(run => notifier.runFinished(run))
            .catch(e => logger.warn(`Run ${runId} finished, but: ${e}`));
        };
        deps.httpRouter.use(
          await createRouter({
            service,
            store,
            httpAuth: deps.httpAuth,
            redaction: worker,
          }),
        );
        registerRunbookActions({
          actionsRegistry: deps.actionsRegistry,
          service,
          store,
        });
        const schedules = new ScheduleRunner({
          service,
          store,
          catalog: deps.catalog,
          auth: deps.auth,
          scheduler: deps.scheduler,
          logger,
        });
        if (config.getOptionalBoolean('runbooks.schedules.enabled') !== false) {
          await schedules.start(
            config.getOptionalString('runbooks.schedules.checkInterval') ??
              '1m',
          );
        }

        if (workerConfig?.getOptionalBoolean('enabled') !== false) {
          deps.lifecycle.addStartupHook(() => worker.start());
          deps.lifecycle.addShutdownHook(() => worker.stop());
        }
      },
    });
  },
});
