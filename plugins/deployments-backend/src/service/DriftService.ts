import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Deployment,
  DriftEntry,
  DriftSummary,
  sortEnvironments,
} from '@fleetdeck/plugin-deployments-common';
import { sameEntityRef } from '@fleetdeck/plugin-fleet-common';
import { DeploymentStore } from '../database/DeploymentStore';
import { DiffCacheStore } from '../database/DiffCacheStore';
import { Repository, RepositoryResolver } from '@fleetdeck/fleetdeck-node';
import { DiffWarmer } from './DiffWarmer';

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
  'spec.system',
];

/**
 * The fleet drift summary: every deployed service with its environments side
 * by side and how far production is behind. It reads cached comparisons only
 * (one query for all of them) and queues the missing ones in the background.
 */
export class DriftService {
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
    const current = await this.options.store.current();
    const byEntity = new Map<string, Map<string, Deployment>>();
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
      deployments: Map<string, Deployment>;
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
      let repo: Repository | undefined;
      try {
        repo = this.options.resolver.resolve(entity);
      } catch {
        repo = undefined;
      }
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
    const cached = await this.options.cache.getMany(wanted);

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
}
