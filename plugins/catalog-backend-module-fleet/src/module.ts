import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { readAnsibleProviderConfigs, readHttpProviderConfigs } from './config';
import { AnsibleInventoryEntityProvider } from './inventory/AnsibleInventoryEntityProvider';
import { HttpInventoryEntityProvider } from './inventory/HttpInventoryEntityProvider';
import { scheduleSearchRepair } from './repair/searchRepair';
import { ClusterEntitiesProcessor } from './processor/ClusterEntitiesProcessor';

/**
 * The Cluster kind for the catalog: its processor, and the Ansible and HTTP
 * inventory providers configured under `catalog.providers.fleet`. Also
 * re-stitches entities the catalog stored without their search rows, which
 * lists and filters would otherwise miss for good (see searchRepair).
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
      }) {
        catalogProcessing.addProcessor(new ClusterEntitiesProcessor());
        const deps = (c: {
          id: string;
          schedule: any;
          maxShrinkRatio: number;
        }) => ({
          id: c.id,
          logger,
          catalog,
          auth,
          maxShrinkRatio: c.maxShrinkRatio,
          taskRunner: scheduler.createScheduledTaskRunner(c.schedule),
        });
        for (const c of readAnsibleProviderConfigs(config)) {
          catalogProcessing.addEntityProvider(
            new AnsibleInventoryEntityProvider(deps(c), c.source, urlReader),
          );
        }
        for (const c of readHttpProviderConfigs(config)) {
          catalogProcessing.addEntityProvider(
            new HttpInventoryEntityProvider(deps(c), c.source),
          );
        }
        await scheduleSearchRepair({ database, scheduler, logger });
      },
    });
  },
});
