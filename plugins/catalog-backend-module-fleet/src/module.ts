import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import {
  CommonProviderConfig,
  readAnsibleProviderConfigs,
  readHttpProviderConfigs,
  readReconcileConfig,
} from './config';
import { AnsibleInventoryEntityProvider } from './inventory/AnsibleInventoryEntityProvider';
import { HttpInventoryEntityProvider } from './inventory/HttpInventoryEntityProvider';
import { InventoryEntityProvider } from './inventory/InventoryEntityProvider';
import {
  createStuckEntityHealer,
  servedClusterRefs,
} from './reconcile/healStuckEntities';
import { scheduleReconcile } from './reconcile/scheduleReconcile';
import { scheduleSearchRepair } from './repair/searchRepair';
import { ClusterEntitiesProcessor } from './processor/ClusterEntitiesProcessor';
import { readVersionPolicy } from './policy/readVersionPolicy';

/**
 * The Cluster kind for the catalog: its processor, and the Ansible and HTTP
 * inventory providers configured under `catalog.providers.fleet`. Also
 * re-stitches entities the catalog stored without their search rows, which
 * lists and filters would otherwise miss for good (see searchRepair), and
 * reconciles what the providers emitted with what the catalog serves,
 * healing entities processed but never stitched (see healStuckEntities).
 */
export const catalogModuleFleet = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'fleet',
  register(reg) {
    reg.registerInit({
      deps: {
        catalogProcessing: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        urlReader: coreServices.urlReader,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        database: coreServices.database,
        lifecycle: coreServices.lifecycle,
      },
      async init({
        catalogProcessing,
        config,
        logger,
        scheduler,
        urlReader,
        auth,
        catalog,
        database,
        lifecycle,
      }) {
        readVersionPolicy(config); // a bad fleet.versionPolicy stops startup
        catalogProcessing.addProcessor(new ClusterEntitiesProcessor());
        const reconcile = readReconcileConfig(config);
        const heal = createStuckEntityHealer(() => database.getClient(), {
          stitchTimeoutMs: reconcile.stitchTimeoutMs,
        });
        const served = async (locationKey: string) =>
          servedClusterRefs(await database.getClient(), locationKey);
        const deps = (c: CommonProviderConfig) => ({
          id: c.id,
          logger,
          catalog,
          auth,
          maxShrinkRatio: c.maxShrinkRatio,
          ownerRecheckMs: c.ownerRecheckMs,
          heal,
          served,
          taskRunner: scheduler.createScheduledTaskRunner(c.schedule),
        });
        const providers: InventoryEntityProvider[] = [
          ...readAnsibleProviderConfigs(config).map(
            c =>
              new AnsibleInventoryEntityProvider(deps(c), c.source, urlReader),
          ),
          ...readHttpProviderConfigs(config).map(
            c => new HttpInventoryEntityProvider(deps(c), c.source),
          ),
        ];
        providers.forEach(p => catalogProcessing.addEntityProvider(p));
        lifecycle.addShutdownHook(() => providers.forEach(p => p.stop()));
        await scheduleSearchRepair({ database, scheduler, logger });
        await scheduleReconcile({
          providers,
          scheduler,
          logger,
          schedule: reconcile.schedule,
        });
      },
    });
  },
});
