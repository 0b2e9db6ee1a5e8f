import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DriftEntry,
  DriftSummary,
  sortEnvironments,
} from '@fleetdeck/plugin-deployments-common';
import { sameEntityRef } from '@fleetdeck/plugin-fleet-common';
import { CurrentCommit, DeploymentStore } from '../database/DeploymentStore';
import { CachedRange, DiffCacheStore } from '../database/DiffCacheStore';
import {
  GIT_REPO_ANNOTATION,
  Repository,
  RepositoryResolver,
} from '@fleetdeck/fleetdeck-node';
import { DiffWarmer } from './DiffWarmer';

const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
  'spec.system',
];

/** How long the repository an entity's annotations name is reused. */
const REPOSITORY_CACHE_MS = 30_000;
/** Most annotation values whose repository is remembered. */
const REPOSITORY_CACHE_SIZE = 20_000;
/** Most comparisons remembered (a few hundred bytes each). */
const COMPARISON_CACHE_SIZE = 100_000;

/**
 * The fleet drift summary: every deployed service with its environments side
 * by side and how far production is behind. It reads cached comparisons only
 * (from memory once read, the rest in one query) and queues the missing ones
 * in the background.
 */
export class DriftService {
  private readonly repositories = new Map<
    string,
    { repo?: Repository; expires: number }
  >();
  /** Cached comparisons already read: a row never changes once written. */
  private readonly comparisonCache = new Map<string, CachedRange>();

  constructor(
    private readonly options: {
      store: DeploymentStore;
      cache: DiffCacheStore;
      catalog: CatalogService;
      auth: AuthService;
      resolver: RepositoryResolver;
      warmer: DiffWarmer;
      environments: string[];
      productionEnvironment: string;
    },
  ) {}

  async summary(
    credentials: BackstageCredentials,
    filter: { owner?: string; system?: string } = {},
  ): Promise<DriftSummary> {
    const { environments, productionEnvironment: prod } = this.options;
    const now = Date.now();
    const current = await this.options.store.currentCommits();
    const byEntity = new Map<string, Map<string, CurrentCommit>>();
    for (const d of current) {
      if (!byEntity.has(d.entityRef)) byEntity.set(d.entityRef, new Map());
      byEntity.get(d.entityRef)!.set(d.environment, d);
    }
    const refs = [...byEntity.keys()];
    const { items } = refs.length
      ? await this.options.catalog.getEntitiesByRefs(
          { entityRefs: refs, fields: FIELDS },
          { credentials },
        )
      : { items: [] as Array<Entity | undefined> };

    const rows: Array<{
      entity: Entity;
      deployments: Map<string, CurrentCommit>;
      repo?: Repository;
    }> = [];
    for (const entity of items) {
      if (!entity) continue; // not visible to this user
      const spec = (entity.spec ?? {}) as { owner?: string; system?: string };
      if (
        filter.owner &&
        !sameEntityRef(spec.owner, filter.owner, { defaultKind: 'group' })
      )
        continue;
      if (
        filter.system &&
        !sameEntityRef(spec.system, filter.system, { defaultKind: 'system' })
      )
        continue;
      const repo = this.repositoryOf(entity, now);
      rows.push({
        entity,
        deployments: byEntity.get(stringifyEntityRef(entity))!,
        repo,
      });
    }

    const wanted = rows.flatMap(({ deployments, repo }) => {
      const base = deployments.get(prod)?.commitSha;
      if (!repo || !base) return [];
      return [...deployments.values()]
        .filter(d => d.environment !== prod && d.commitSha !== base)
        .map(d => ({ repoKey: repo.key, base, head: d.commitSha, repo }));
    });
    const cached = await this.comparisons(wanted);

    const services: DriftEntry[] = rows.map(({ entity, deployments, repo }) => {
      const spec = (entity.spec ?? {}) as { owner?: string; system?: string };
      const names = sortEnvironments(
        [...environments, ...deployments.keys()],
        environments,
      );
      const entry: DriftEntry = {
        entityRef: stringifyEntityRef(entity),
        title: entity.metadata.title,
        owner: spec.owner,
        system: spec.system,
        environments: names.map(environment => {
          const d = deployments.get(environment);
          return {
            environment,
            commitSha: d?.commitSha,
            version: d?.version,
            deployedAt: d?.deployedAt,
          };
        }),
        status: 'unknown',
      };
      const base = deployments.get(prod)?.commitSha;
      if (!base) {
        entry.status = 'not-deployed';
        return entry;
      }
      let behind = 0;
      let diverged = false;
      let complete = true;
      for (const d of deployments.values()) {
        if (d.environment === prod || d.commitSha === base) continue;
        const range = repo && cached.get(`${repo.key}:${base}:${d.commitSha}`);
        if (!range) {
          complete = false;
          if (repo) this.options.warmer.add(repo, base, d.commitSha);
          continue;
        }
        if (range.status === 'diverged') diverged = true;
        if (
          range.ahead > behind ||
          (range.ahead === behind && behind > 0 && !entry.comparedWith)
        ) {
          behind = range.ahead;
          entry.comparedWith = d.environment;
          entry.oldestUndeployedAt = range.oldestCommitAt;
        }
      }
      if (!complete) entry.pending = true;
      if (!complete && behind === 0) return entry;
      entry.productionBehind = behind;
      if (diverged) entry.status = 'diverged';
      else entry.status = behind > 0 ? 'behind' : 'current';
      return entry;
    });

    services.sort(
      (a, b) =>
        (b.productionBehind ?? -1) - (a.productionBehind ?? -1) ||
        (a.oldestUndeployedAt ?? '').localeCompare(
          b.oldestUndeployedAt ?? '',
        ) ||
        a.entityRef.localeCompare(b.entityRef),
    );
    return { environments, productionEnvironment: prod, services };
  }

  /**
   * The cached comparisons among `wanted`, by `repoKey:base:head`: those read
   * before from memory, only the others from the database (where another
   * instance, or the warmer, may have stored them since).
   */
  private async comparisons(
    wanted: Array<{ repoKey: string; base: string; head: string }>,
  ): Promise<Map<string, CachedRange>> {
    const result = new Map<string, CachedRange>();
    const missing: typeof wanted = [];
    for (const w of wanted) {
      const key = `${w.repoKey}:${w.base}:${w.head}`;
      const known = this.comparisonCache.get(key);
      if (known) result.set(key, known);
      else missing.push(w);
    }
    if (missing.length === 0) return result;
    const read = await this.options.cache.getMany(missing);
    if (this.comparisonCache.size + missing.length > COMPARISON_CACHE_SIZE) {
      this.comparisonCache.clear();
    }
    for (const w of missing) {
      const key = `${w.repoKey}:${w.base}:${w.head}`;
      const range = read.get(key);
      if (!range) continue;
      result.set(key, range);
      this.comparisonCache.set(key, range);
    }
    return result;
  }

  /**
   * The entity's repository, or undefined when it names none that is allowed.
   * Resolving a local path checks the file system, so the outcome per
   * annotation value is reused for a while: a fleet of thousands usually
   * names far fewer repositories, and the summary only reads cached
   * comparisons by the repository's key (mirrors are fetched elsewhere, with
   * the resolver asked afresh).
   */
  private repositoryOf(entity: Entity, now: number): Repository | undefined {
    const a = entity.metadata.annotations ?? {};
    const key = `${a[GIT_REPO_ANNOTATION] ?? ''}\n${
      a[SOURCE_LOCATION_ANNOTATION] ?? ''
    }`;
    const hit = this.repositories.get(key);
    if (hit && hit.expires > now) return hit.repo;
    let repo: Repository | undefined;
    try {
      repo = this.options.resolver.resolve(entity);
    } catch {
      repo = undefined;
    }
    if (this.repositories.size >= REPOSITORY_CACHE_SIZE) {
      this.repositories.clear();
    }
    this.repositories.set(key, { repo, expires: now + REPOSITORY_CACHE_MS });
    return repo;
  }
}
