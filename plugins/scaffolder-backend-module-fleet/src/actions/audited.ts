import { AuditorService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/**
 * Runs a write to a remote as an audit event naming the user who ran the
 * template, marked failed with the error when the write fails.
 */
export async function audited<T>(
  auditor: AuditorService | undefined,
  options: { eventId: string; actor?: string; meta: JsonObject },
  fn: () => Promise<T>,
): Promise<T> {
  const event = await auditor?.createEvent({
    eventId: options.eventId,
    severityLevel: 'medium',
    meta: { actor: options.actor ?? 'unknown', ...options.meta },
  });
  try {
    const result = await fn();
    await event?.success();
    return result;
  } catch (error) {
    await event?.fail({ error: error as Error });
    throw error;
  }
}
