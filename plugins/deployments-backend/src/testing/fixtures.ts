import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';

/** A Component whose repository is `repo` under an allowed root. */
export function component(
  name: string,
  repo?: string,
  extra: Partial<Entity['spec']> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: repo ? { 'fleetdeck.io/git-repo': repo } : {},
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/payments',
      ...extra,
    },
  };
}

/** An auditor that keeps every event it is given, for assertions. */
export function recordingAuditor() {
  const events: Array<{
    eventId: string;
    status: string;
    meta?: any;
    error?: string;
    actor?: string;
  }> = [];
  const factory = createServiceFactory({
    service: coreServices.auditor,
    deps: { httpAuth: coreServices.httpAuth },
    factory: ({ httpAuth }) => ({
      async createEvent(options) {
        let actor: string | undefined;
        if (options.request) {
          const c: any = await httpAuth.credentials(options.request as any);
          actor = c.principal.subject ?? c.principal.userEntityRef;
        }
        const log = (status: string, params?: { meta?: any; error?: Error }) =>
          events.push({
            eventId: options.eventId,
            status,
            actor,
            meta: { ...options.meta, ...params?.meta },
            error: params?.error?.message,
          });
        log('initiated');
        return {
          async success(params?: { meta?: any }) {
            log('succeeded', params);
          },
          async fail(params: { error: Error; meta?: any }) {
            log('failed', params);
          },
        };
      },
    }),
  });
  return { events, factory };
}
