import {
  LoggerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { readSchedulerServiceTaskScheduleDefinitionFromConfig } from '@backstage/backend-plugin-api';
import {
  DeploymentPullSource,
  PulledDeployment,
} from '@fleetdeck/plugin-deployments-node';
import { z } from 'zod';

/** Application annotations that map an Argo CD Application to a catalog entity and environment. */
export const ENTITY_REF_ANNOTATION = 'fleetdeck.io/entity-ref';
export const ENVIRONMENT_ANNOTATION = 'fleetdeck.io/environment';

const SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/i;

const historyEntry = z.object({
  id: z.number().optional(),
  revision: z.string().optional(),
  revisions: z.array(z.string()).optional(),
  deployedAt: z.string(),
  deployStartedAt: z.string().optional(),
  initiatedBy: z
    .object({
      username: z.string().optional(),
      automated: z.boolean().optional(),
    })
    .optional(),
  source: z
    .object({
      targetRevision: z.string().optional(),
      chart: z.string().optional(),
    })
    .optional(),
});

/** The parts of an Argo CD `v1alpha1.Application` this source reads. */
const application = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    annotations: z.record(z.string(), z.string()).nullish(),
  }),
  status: z
    .object({
      sync: z
        .object({
          status: z.string().optional(),
          revision: z.string().optional(),
          revisions: z.array(z.string()).optional(),
        })
        .optional(),
      history: z.array(historyEntry).nullish(),
      operationState: z
        .object({
          phase: z.string().optional(),
          finishedAt: z.string().optional(),
        })
        .optional(),
      reconciledAt: z.string().optional(),
    })
    .optional(),
});

type Application = z.infer<typeof application>;

/** Maps an Application (by name) to the entity and environment it deploys. */
export interface ApplicationMapping {
  name: string;
  entityRef: string;
  environment: string;
}

/**
 * Reads Argo CD Applications through Argo CD's REST API
 * (`GET /api/v1/applications`, bearer token) and reports, per mapped
 * Application, every `status.history` entry and the synced
 * `status.sync.revision`. Malformed applications are skipped with a warning;
 * a malformed answer fails the run, which the scheduler retries.
 */
export class ArgoCdPullSource implements DeploymentPullSource {
  static fromConfig(
    config: Config,
    logger: LoggerService,
  ): ArgoCdPullSource | undefined {
    const c = config.getOptionalConfig('deployments.argocd');
    if (!c) return undefined;
    return new ArgoCdPullSource({
      baseUrl: c.getString('baseUrl'),
      token: c.getString('token'),
      applications: (c.getOptionalConfigArray('applications') ?? []).map(a => ({
        name: a.getString('name'),
        entityRef: a.getString('entityRef'),
        environment: a.getString('environment'),
      })),
      schedule: c.has('schedule')
        ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
            c.getConfig('schedule'),
          )
        : { frequency: { minutes: 2 }, timeout: { minutes: 1 } },
      logger,
    });
  }

  readonly id = 'argocd';
  readonly schedule: SchedulerServiceTaskScheduleDefinition;

  constructor(
    private readonly options: {
      baseUrl: string;
      token: string;
      applications: ApplicationMapping[];
      schedule: SchedulerServiceTaskScheduleDefinition;
      logger: LoggerService;
    },
  ) {
    this.schedule = options.schedule;
  }

  async pull({ signal }: { signal?: AbortSignal } = {}): Promise<
    PulledDeployment[]
  > {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const res = await fetch(`${base}/api/v1/applications`, {
      headers: {
        authorization: `Bearer ${this.options.token}`,
        accept: 'application/json',
      },
      signal,
    });
    if (!res.ok) {
      throw new Error(
        `Argo CD answered ${res.status} ${res.statusText} for /api/v1/applications`,
      );
    }
    let body: any;
    try {
      body = await res.json();
    } catch {
      throw new Error(
        'Argo CD answered /api/v1/applications with something that is not JSON',
      );
    }
    if (typeof body !== 'object' || body === null || !('items' in body)) {
      throw new Error(
        'Argo CD answered /api/v1/applications without an items list',
      );
    }
    const items: unknown[] = body.items ?? []; // Argo CD sends null for none
    if (!Array.isArray(items)) {
      throw new Error(
        'Argo CD answered /api/v1/applications with items that are not a list',
      );
    }
    const byName = new Map(this.options.applications.map(a => [a.name, a]));
    const out: PulledDeployment[] = [];
    for (const item of items) {
      const parsed = application.safeParse(item);
      if (!parsed.success) {
        const name = (item as any)?.metadata?.name ?? '(unnamed)';
        this.options.logger.warn(
          `Skipping malformed Argo CD application ${name}: ${z.prettifyError(
            parsed.error,
          )}`,
        );
        continue;
      }
      const app = parsed.data;
      const annotations = app.metadata.annotations ?? {};
      const mapping =
        byName.get(app.metadata.name) ??
        (annotations[ENTITY_REF_ANNOTATION] &&
        annotations[ENVIRONMENT_ANNOTATION]
          ? {
              name: app.metadata.name,
              entityRef: annotations[ENTITY_REF_ANNOTATION],
              environment: annotations[ENVIRONMENT_ANNOTATION],
            }
          : undefined);
      if (mapping) out.push(...this.deploymentsOf(app, mapping, base));
    }
    return out;
  }

  private deploymentsOf(
    app: Application,
    mapping: ApplicationMapping,
    base: string,
  ): PulledDeployment[] {
    const ns = app.metadata.namespace ?? 'argocd';
    const pipelineUrl = `${base}/applications/${encodeURIComponent(
      ns,
    )}/${encodeURIComponent(app.metadata.name)}`;
    const result: PulledDeployment[] = [];
    const history = app.status?.history ?? [];
    for (const h of history) {
      const sha = [h.revision, ...(h.revisions ?? [])].find(
        r => r && SHA.test(r),
      );
      if (!sha || Number.isNaN(Date.parse(h.deployedAt))) continue;
      result.push({
        entityRef: mapping.entityRef,
        environment: mapping.environment,
        commitSha: sha,
        version: h.source?.chart ? h.source.targetRevision : undefined,
        deployedAt: new Date(h.deployedAt).toISOString(),
        deployedBy: h.initiatedBy?.automated
          ? 'argocd (automated sync)'
          : h.initiatedBy?.username || undefined,
        pipelineUrl,
        status: 'succeeded',
      });
    }
    // No history yet (e.g. trimmed by revisionHistoryLimit: 0): a synced
    // revision still tells what runs.
    const sync = app.status?.sync;
    const synced = [sync?.revision, ...(sync?.revisions ?? [])].find(
      r => r && SHA.test(r),
    );
    const at =
      app.status?.operationState?.finishedAt ?? app.status?.reconciledAt;
    if (
      result.length === 0 &&
      sync?.status === 'Synced' &&
      synced &&
      at &&
      !Number.isNaN(Date.parse(at))
    ) {
      result.push({
        entityRef: mapping.entityRef,
        environment: mapping.environment,
        commitSha: synced,
        deployedAt: new Date(at).toISOString(),
        deployedBy: 'argocd',
        pipelineUrl,
        status: 'succeeded',
      });
    }
    return result;
  }
}
