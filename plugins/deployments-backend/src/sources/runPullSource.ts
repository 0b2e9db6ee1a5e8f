import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { audited } from '@fleetdeck/fleetdeck-node';
import { DeploymentPullSource } from '@fleetdeck/plugin-deployments-node';
import { DeploymentsService } from '../service/DeploymentsService';

/** One run of a pull source: records what it reports, logs what it could not. */
export async function runPullSource(
  source: DeploymentPullSource,
  service: DeploymentsService,
  logger: LoggerService,
  auditor: AuditorService,
  signal?: AbortSignal,
) {
  // The actor is the plugin itself (no request); the source is named in meta.
  const operation = {
    eventId: 'deployment-pull',
    severityLevel: 'low' as const,
    meta: { source: source.id },
  };
  return audited(auditor, operation, async outcome => {
    const items = await source.pull({ signal });
    let created = 0;
    const failures: string[] = [];
    for (const item of items) {
      if (signal?.aborted) break;
      try {
        if ((await service.record(item, source.id)).created) created++;
      } catch (e) {
        failures.push(
          `${item?.entityRef}@${item?.environment}: ${(e as Error).message}`,
        );
      }
    }
    if (failures.length) {
      logger.warn(
        `Pull source ${source.id}: ${failures.length} of ${
          items.length
        } deployment(s) not recorded, e.g. ${failures.slice(0, 3).join('; ')}`,
      );
    }
    if (created) {
      logger.info(
        `Pull source ${source.id}: recorded ${created} new deployment(s)`,
      );
    }
    Object.assign(outcome, {
      reported: items.length,
      created,
      failed: failures.length,
    });
    return { created, failed: failures.length, total: items.length };
  });
}
