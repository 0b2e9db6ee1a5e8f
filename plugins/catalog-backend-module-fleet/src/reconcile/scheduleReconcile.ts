import type {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { InventoryEntityProvider } from '../inventory/InventoryEntityProvider';

/** Default reconcile schedule: soon after start, then every minute. */
export const DEFAULT_RECONCILE_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { minutes: 1 },
    timeout: { minutes: 1 },
    initialDelay: { seconds: 5 },
  };

/**
 * Reconciles every inventory provider with the catalog on a schedule, on one
 * replica at a time (the scheduler's task lock). Each provider also
 * reconciles right after each of its own refreshes.
 */
export async function scheduleReconcile(options: {
  providers: InventoryEntityProvider[];
  scheduler: SchedulerService;
  logger: LoggerService;
  schedule?: SchedulerServiceTaskScheduleDefinition;
}) {
  const { providers, scheduler, logger } = options;
  if (!providers.length) return;
  await scheduler.scheduleTask({
    id: 'fleetdeck-catalog-inventory-reconcile',
    ...(options.schedule ?? DEFAULT_RECONCILE_SCHEDULE),
    fn: async () => {
      for (const provider of providers) {
        try {
          await provider.reconcile();
        } catch (e) {
          // the catalog's tables are its own: if they change shape, say so and go on
          logger.warn(
            `Could not reconcile ${provider.getProviderName()} with the catalog: ${e}`,
          );
        }
      }
    },
  });
}
