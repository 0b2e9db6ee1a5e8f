import {
  coreServices,
  createBackendPlugin,
  LoggerService,
  RootConfigService,
  ServiceRef,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  parseDuration,
  runbooksPermissions,
} from '@fleetdeck/plugin-runbooks-common';
import {
  redactingLogger,
  Redactor,
  VaultClient,
} from '@fleetdeck/fleetdeck-node';
import {
  RunbookExecutor,
  runbooksExecutorsExtensionPoint,
} from '@fleetdeck/plugin-runbooks-node';
import { hostname } from 'os';
import { randomBytes } from 'crypto';
import { DefaultRunBroker, RunBroker } from './broker';
import { RunStore } from './database/RunStore';
import { RunWorker, RunWorkerOptions } from './engine/RunWorker';
import { ParameterVault } from './engine/secrets';
import { DefinitionSnapshots } from './trust/DefinitionSnapshots';
import { SecretScopes } from './trust/SecretScopes';
import { TrustPolicy } from './trust/TrustPolicy';
import { RunbooksService } from './service/RunbooksService';
import { RunNotifier } from './service/RunNotifier';
import { createRouter } from './router';
import { ScheduleRunner } from './service/ScheduleRunner';
import { registerRunbookActions } from './actions/registerRunbookActions';

/** The worker as `runbooks.worker` configures it. */
function workerFromConfig(
  config: RootConfigService,
  options: Pick<
    RunWorkerOptions,
    | 'store'
    | 'executors'
    | 'vault'
    | 'logger'
    | 'workerId'
    | 'broker'
    | 'secrets'
    | 'trust'
  >,
): RunWorker {
  const workerConfig = config.getOptionalConfig('runbooks.worker');
  const duration = (key: string, fallback: number) =>
    parseDuration(workerConfig?.getOptionalString(key), fallback);
  return new RunWorker({
    ...options,
    maxParallel: workerConfig?.getOptionalNumber('maxParallel') ?? 50,
    parallelCommits: workerConfig?.getOptionalNumber('parallelCommits') ?? 1,
    pollIntervalMs: duration('pollInterval', 1000),
    heartbeatIntervalMs: duration('heartbeatInterval', 5000),
    staleAfterMs: duration('staleAfter', 60_000),
    defaultTimeoutMs: duration('defaultTimeout', 30 * 60_000),
  });
}

/**
 * Signals for live pages and notifications for people, once: from the
 * replica where the change happened (the others hear it as `remote`).
 */
function notifyFromBroker(options: {
  broker: RunBroker;
  notifier: RunNotifier;
  store: Pick<RunStore, 'getRunSummary'>;
  logger: LoggerService;
}) {
  const { broker, notifier, store, logger } = options;
  broker.onChange((change, origin) => {
    if (origin === 'local' && change.type === 'target') {
      notifier.targetChanged(change.runId, change.targetId, change.status);
    }
  });
  broker.onRunFinished((runId, _status, origin) => {
    if (origin !== 'local') return;
    store
      .getRunSummary(runId)
      .then(run => notifier.runFinished(run))
      .catch(e => logger.warn(`Run ${runId} finished, but: ${e}`));
  });
}

const runbooksDeps = {
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
  events: eventsServiceRef,
  signals: signalsServiceRef,
  notifications: notificationService,
  actionsRegistry: actionsRegistryServiceRef,
};

/** The services the plugin's init gets. */
type RunbooksDeps = {
  [K in keyof typeof runbooksDeps]: (typeof runbooksDeps)[K] extends ServiceRef<
    infer S,
    'root' | 'plugin',
    'singleton'
  >
    ? S
    : never;
};

/**
 * This replica's broker and worker; the worker starts and stops with the
 * backend (unless `runbooks.worker.enabled` is false), the broker after it.
 */
async function createEngine(
  deps: Pick<RunbooksDeps, 'config' | 'events' | 'lifecycle'>,
  parts: Pick<
    RunWorkerOptions,
    'store' | 'executors' | 'vault' | 'logger' | 'secrets' | 'trust'
  > & { store: RunStore; notifier: RunNotifier },
) {
  const { logger, notifier, store } = parts;
  const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString(
    'hex',
  )}`;
  const broker = await DefaultRunBroker.create({
    events: deps.events,
    logger: logger.child({ component: 'runbooks-broker' }),
    instanceId,
  });
  notifyFromBroker({ broker, notifier, store, logger });
  const worker = workerFromConfig(deps.config, {
    store,
    executors: parts.executors,
    vault: parts.vault,
    logger: logger.child({ component: 'runbooks-worker' }),
    workerId: instanceId,
    broker,
    secrets: parts.secrets,
    trust: parts.trust,
  });
  const workerEnabled =
    deps.config.getOptionalBoolean('runbooks.worker.enabled') !== false;
  if (workerEnabled) deps.lifecycle.addStartupHook(() => worker.start());
  // the worker's last writes are announced before the broker closes
  deps.lifecycle.addShutdownHook(async () => {
    if (workerEnabled) await worker.stop();
    await broker.close();
  });
  return { broker, worker };
}

/** Builds the plugin's parts, serves its API and starts its schedules and worker. */
async function initRunbooks(
  deps: RunbooksDeps,
  executors: Map<string, RunbookExecutor>,
) {
  const { config } = deps;
  deps.permissionsRegistry.addPermissions(runbooksPermissions);
  const store = await RunStore.create({ database: deps.database });
  // `vault:` secrets are read from Vault by the worker, per run
  const secrets = SecretScopes.fromConfig(config, {
    vault: VaultClient.fromConfig(config),
  });
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
  const vault = ParameterVault.fromConfig(config);
  const { broker, worker } = await createEngine(deps, {
    store,
    executors,
    vault,
    logger,
    secrets,
    trust,
    notifier,
  });
  const service = new RunbooksService({
    store,
    catalog: deps.catalog,
    permissions: deps.permissions,
    userInfo: deps.userInfo,
    auditor: deps.auditor,
    logger,
    notifier,
    broker,
    vault,
    trust,
    secrets,
    snapshots: new DefinitionSnapshots(deps.urlReader),
  });
  deps.httpRouter.use(
    await createRouter({
      service,
      httpAuth: deps.httpAuth,
      broker,
      redaction: worker,
      logger,
    }),
  );
  registerRunbookActions({ actionsRegistry: deps.actionsRegistry, service });
  if (config.getOptionalBoolean('runbooks.schedules.enabled') !== false) {
    await new ScheduleRunner({
      service,
      store,
      catalog: deps.catalog,
      auth: deps.auth,
      scheduler: deps.scheduler,
      logger,
    }).start(
      config.getOptionalString('runbooks.schedules.checkInterval') ?? '1m',
    );
  }
}

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
      deps: runbooksDeps,
      init: deps => initRunbooks(deps, executors),
    });
  },
});
