import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  MirrorManager,
  Repository,
  RepositoryResolver,
} from '@fleetdeck/fleetdeck-node';
import {
  Deployment,
  DeploymentInput,
  deploymentInputSchema,
  EntityDeploymentsOverview,
  EnvironmentComparison,
  neighbourPairs,
  sortEnvironments,
} from '@fleetdeck/plugin-deployments-common';
import { fullEntityRef } from '@fleetdeck/plugin-fleet-common';
import { DeploymentStore } from '../database/DeploymentStore';
import { commitUrl, DiffService } from './DiffService';
import { DiffWarmer } from './DiffWarmer';

/** How long a caller's entity lookup is reused. */
const ENTITY_CACHE_MS = 5_000;

/** The outcome of recording a deployment. */
export interface RecordResult {
  deployment: Deployment;
  created: boolean;
  warnings: string[];
}

/**
 * Records deployments (from the API and pull sources), brings the entity's
 * mirror up to date when a new SHA arrives, and assembles what the
 * Deployments tab shows.
 */
export class DeploymentsService {
  private readonly entityCache = new Map<
    string,
    { entity: Entity; expires: number }
  >();

  constructor(
    private readonly options: {
      store: DeploymentStore;
      catalog: CatalogService;
      auth: AuthService;
      resolver: RepositoryResolver;
      mirrors: MirrorManager;
      diff: DiffService;
      warmer: DiffWarmer;
      logger: LoggerService;
      environments: string[];
      productionEnvironment: string;
    },
  ) {}

  get environments() {
    return this.options.environments;
  }

  /** Validates and records a deployment; idempotent on (entity, environment, SHA, time). */
  async record(input: DeploymentInput, source: string): Promise<RecordResult> {
    const parsed = deploymentInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new InputError(`Invalid deployment: ${parsed.error.message}`);
    }
    const d = parsed.data;
    if (!this.options.environments.includes(d.environment)) {
      throw new InputError(
        `Unknown environment '${
          d.environment
        }'; configured environments are ${this.options.environments.join(
          ', ',
        )}`,
      );
    }
    const deployedAt = d.deployedAt ? Date.parse(d.deployedAt) : Date.now();
    // Pull sources report the same deployments on every run, and pipelines
    // retry: a record already kept (without a warning) needs no catalog
    // lookup and no mirror check.
    const known = await this.options.store.find({
      entityRef: fullEntityRef(d.entityRef) ?? d.entityRef,
      environment: d.environment,
      commitSha: d.commitSha,
      deployedAt,
    });
    if (known && !known.warning) {
      return { deployment: known, created: false, warnings: [] };
    }
    const entity = await this.options.catalog.getEntityByRef(d.entityRef, {
      credentials: await this.options.auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new NotFoundError(`Entity ${d.entityRef} not found in the catalog`);
    }
    const entityRef = stringifyEntityRef(entity);
    const { deployment, created } = await this.options.store.record({
      entityRef,
      environment: d.environment,
      commitSha: d.commitSha,
      version: d.version,
      deployedAt,
      deployedBy: d.deployedBy,
      pipelineUrl: d.pipelineUrl,
      status: d.status,
      source,
    });
    if (created || deployment.warning) {
      const warning = await this.syncMirror(entity, [deployment.commitSha]);
      if ((warning ?? null) !== (deployment.warning ?? null)) {
        await this.options.store.setWarning(deployment.id, warning ?? null);
        deployment.warning = warning;
      }
      this.warm(entity).catch(e =>
        this.options.logger.warn(`Warming diffs failed: ${e}`),
      );
    }
    return {
      deployment,
      created,
      warnings: deployment.warning ? [deployment.warning] : [],
    };
  }

  /** Fetches the mirror if it lacks a SHA; returns a warning for what is still wrong. */
  async syncMirror(
    entity: Entity,
    shas: string[],
  ): Promise<string | undefined> {
    let repo: Repository;
    try {
      repo = this.options.resolver.resolve(entity);
    } catch (e) {
      return `No diffs for this entity: ${(e as Error).message}`;
    }
    try {
      const missing = await this.options.mirrors.ensure(repo, shas);
      if (missing.length) {
        return `Commit ${missing.join(', ')} was not found in ${
          repo.url
        }; the deployment is recorded, but diffs involving it are unavailable`;
      }
    } catch (e) {
      this.options.logger.warn(`Mirroring ${repo.url} failed: ${e}`);
      return `Could not fetch ${repo.url}: ${(e as Error).message}`;
    }
    return undefined;
  }

  /** Queues the comparisons the tab and the drift page will ask for. */
  async warm(entity: Entity) {
    const repo = this.options.resolver.resolve(entity);
    const current = await this.options.store.current([
      stringifyEntityRef(entity),
    ]);
    const sha = new Map(current.map(c => [c.environment, c.commitSha]));
    const ordered = sortEnvironments(
      [...sha.keys()],
      this.options.environments,
    );
    const pairs = neighbourPairs(ordered);
    const prod = sha.get(this.options.productionEnvironment);
    if (prod) {
      for (const env of ordered) {
        if (env !== this.options.productionEnvironment) {
          pairs.push({ head: env, base: this.options.productionEnvironment });
        }
      }
    }
    for (const p of pairs) {
      this.options.warmer.add(repo, sha.get(p.base)!, sha.get(p.head)!);
    }
  }

  /** Current deployment and history per environment, and neighbour comparisons. */
  async overview(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityDeploymentsOverview> {
    const entity = await this.visibleEntity(entityRef, credentials);
    const ref = stringifyEntityRef(entity);
    const [current, history] = await Promise.all([
      this.options.store.current([ref]),
      this.options.store.history({ entityRef: ref, limit: 200 }),
    ]);
    let repo: Repository | undefined;
    let repositoryProblem: string | undefined;
    try {
      repo = this.options.resolver.resolve(entity);
    } catch (e) {
      repositoryProblem = (e as Error).message;
    }
    const linked = (d: Deployment): Deployment =>
      repo ? { ...d, commitUrl: commitUrl(repo, d.commitSha) } : d;
    const names = sortEnvironments(
      [...this.options.environments, ...history.map(h => h.environment)],
      this.options.environments,
    );
    const environments = names.map(environment => {
      const cur = current.find(c => c.environment === environment);
      return {
        environment,
        current: cur && linked(cur),
        history: history
          .filter(h => h.environment === environment)
          .slice(0, 10)
          .map(linked),
      };
    });
    const deployed = environments
      .filter(e => e.current)
      .map(e => e.environment);
    const comparisons: EnvironmentComparison[] = [];
    for (const { head, base } of neighbourPairs(deployed)) {
      const headSha = current.find(c => c.environment === head)!.commitSha;
      const baseSha = current.find(c => c.environment === base)!.commitSha;
      if (!repo) {
        comparisons.push({ head, base, problem: repositoryProblem });
        continue;
      }
      try {
        comparisons.push({
          head,
          base,
          summary: await this.options.diff.summary(repo, baseSha, headSha),
        });
      } catch (e) {
        comparisons.push({ head, base, problem: (e as Error).message });
      }
    }
    return {
      entityRef: ref,
      repository: repo ? { url: repo.url, webUrl: repo.webUrl } : undefined,
      repositoryProblem,
      environments,
      comparisons,
    };
  }

  /**
   * The entity as the caller may see it (only the fields this plugin reads);
   * NotFoundError otherwise. Diff pages are asked for in bursts (paging,
   * expanding), so a lookup is reused for a few seconds per caller and entity.
   */
  async visibleEntity(entityRef: string, credentials: BackstageCredentials) {
    const principal = credentials.principal as {
      userEntityRef?: string;
      subject?: string;
      type?: string;
    };
    const key = `${principal.type}:${
      principal.userEntityRef ?? principal.subject
    }|${entityRef}`;
    const cached = this.entityCache.get(key);
    if (cached && cached.expires > Date.now()) return cached.entity;
    const { items } = await this.options.catalog.getEntitiesByRefs(
      {
        entityRefs: [entityRef],
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
        ],
      },
      { credentials },
    );
    if (!items[0]) throw new NotFoundError(`Entity ${entityRef} not found`);
    this.entityCache.delete(key);
    this.entityCache.set(key, {
      entity: items[0],
      expires: Date.now() + ENTITY_CACHE_MS,
    });
    if (this.entityCache.size > 1000)
      this.entityCache.delete(this.entityCache.keys().next().value!);
    return items[0];
  }

  /** The entity (read with the caller's credentials), its repository and, if asked, its current deployments. */
  async repositoryOf(
    entityRef: string,
    credentials: BackstageCredentials,
    options: { current?: boolean } = {},
  ) {
    const entity = await this.visibleEntity(entityRef, credentials);
    const repo = this.options.resolver.resolve(entity);
    const current =
      options.current === false
        ? []
        : await this.options.store.current([stringifyEntityRef(entity)]);
    return { entity, repo, current };
  }

  /** Makes every current SHA available in its mirror and warms the comparisons. */
  async syncAll() {
    const current = await this.options.store.current();
    const byEntity = new Map<string, string[]>();
    for (const c of current) {
      byEntity.set(c.entityRef, [
        ...(byEntity.get(c.entityRef) ?? []),
        c.commitSha,
      ]);
    }
    const refs = [...byEntity.keys()];
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items } = refs.length
      ? await this.options.catalog.getEntitiesByRefs(
          { entityRefs: refs },
          { credentials },
        )
      : { items: [] };
    for (const entity of items) {
      if (!entity) continue;
      await this.syncMirror(entity, byEntity.get(stringifyEntityRef(entity))!);
      await this.warm(entity).catch(() => {});
    }
  }
}
