import type {
  AuthService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type {
  CatalogService,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { ClusterDraft, draftToEntity } from './clusterDraft';
import { checkShrink } from './shrinkGuard';
import {
  ANNOTATION_INVENTORY_STATUS,
  InventoryStatus,
  inventoryStatusEntity,
} from './inventoryStatusEntity';

/** What a provider needs besides its own source settings. */
export interface InventoryProviderDeps {
  id: string;
  logger: LoggerService;
  taskRunner: SchedulerServiceTaskRunner;
  catalog: CatalogService;
  auth: AuthService;
  maxShrinkRatio: number;
}

/** The result of one refresh, for tests and logs. */
export interface RefreshResult {
  status: InventoryStatus;
  message: string;
  clusters: number;
}

/**
 * What the Ansible and HTTP inventory providers share: the schedule, the
 * full mutation, the shrink guard, owner checks, and the status entity
 * through which refused refreshes and outages are surfaced.
 */
export abstract class InventoryEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private lastApplied?: Set<string>;
  protected readonly logger: LoggerService;

  protected constructor(
    protected readonly deps: InventoryProviderDeps,
    private readonly type: 'ansible' | 'http',
  ) {
    this.logger = deps.logger.child({ provider: this.getProviderName() });
  }

  /** Reads the inventory and turns it into cluster drafts; throws on any source problem. */
  protected abstract load(): Promise<ClusterDraft[]>;

  /** The source as it may be shown to users (no credentials). */
  protected abstract describeSource(): string;

  getProviderName(): string {
    return `fleet-${this.type}-inventory:${this.deps.id}`;
  }

  /** The managed-by-location key of everything this provider emits. */
  get locationKey(): string {
    return `fleet-inventory:${this.type}/${this.deps.id}`;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.deps.taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /** Reads the inventory and applies it, unless the guard or an error refuses it. */
  async refresh(): Promise<RefreshResult> {
    if (!this.connection)
      throw new Error(`${this.getProviderName()} is not connected`);
    const started = Date.now();
    let drafts: ClusterDraft[];
    try {
      drafts = await this.load();
    } catch (e) {
      const message = `inventory ${this.describeSource()} could not be read: ${
        (e as Error).message
      }. The previous clusters stay in the catalog.`;
      return this.surface('failed', message);
    }

    const problems: string[] = [];
    const byName = new Map<string, ClusterDraft>();
    const valid: ClusterDraft[] = [];
    for (const draft of drafts) {
      if (!draft.name) {
        problems.push(`${draft.origin}: no usable cluster name; skipped`);
        continue;
      }
      const other = byName.get(draft.name);
      if (other) {
        return this.surface(
          'refused',
          `refused: duplicate cluster name '${draft.name}' from ${other.origin} and ${draft.origin}. The previous clusters stay in the catalog.`,
        );
      }
      byName.set(draft.name, draft);
      valid.push(draft);
    }

    let previous: Set<string>;
    let owners: Set<string> | undefined;
    try {
      previous = this.lastApplied ?? (await this.clustersInCatalog());
      owners = await this.knownOwners();
    } catch (e) {
      return this.surface(
        'failed',
        `the catalog could not be asked for the current clusters: ${
          (e as Error).message
        }`,
      );
    }

    const verdict = checkShrink(
      previous,
      new Set(byName.keys()),
      this.deps.maxShrinkRatio,
    );
    if (!verdict.allowed) return this.surface('refused', verdict.reason);

    const entities = valid.map(draft => {
      const own: string[] = [...(draft.problems ?? [])];
      own.forEach(problem => problems.push(`${draft.origin}: ${problem}`));
      const owner = this.ownerRef(draft.owner);
      if (owner && owners && !owners.has(owner)) {
        const problem = `spec.owner: ${owner} is not a Group or User in the catalog`;
        own.push(problem);
        problems.push(`${draft.origin}: ${problem}`);
      }
      return draftToEntity(draft, this.sourceInfo(), own);
    });

    const status = problems.length ? 'warnings' : 'ok';
    const removed = verdict.removed.length
      ? `, ${verdict.removed.length} removed`
      : '';
    const problemText = problems.length
      ? `; ${problems.length} problems: ${problems.join('; ')}`
      : '';
    const message = `${
      entities.length
    } clusters from ${this.describeSource()}${removed}${problemText}`;
    await this.connection.applyMutation({
      type: 'full',
      entities: [
        ...entities,
        this.statusEntity(status, message, entities.length),
      ].map(entity => ({
        entity,
        locationKey: this.locationKey,
      })),
    });
    this.lastApplied = new Set(byName.keys());
    if (problems.length)
      this.logger.warn(`Fleet inventory refreshed with problems: ${message}`);
    else
      this.logger.info(
        `Fleet inventory refreshed: ${message} in ${Date.now() - started} ms`,
      );
    return { status, message, clusters: entities.length };
  }

  private async surface(
    status: InventoryStatus,
    message: string,
  ): Promise<RefreshResult> {
    this.logger.error(`Fleet inventory ${this.getProviderName()}: ${message}`);
    await this.connection!.applyMutation({
      type: 'delta',
      added: [
        {
          entity: this.statusEntity(status, message, undefined),
          locationKey: this.locationKey,
        },
      ],
      removed: [],
    });
    return { status, message, clusters: this.lastApplied?.size ?? -1 };
  }

  private statusEntity(
    status: InventoryStatus,
    message: string,
    clusters?: number,
  ): Entity {
    return inventoryStatusEntity({
      id: `${this.type}-${this.deps.id}`,
      type: this.type,
      source: this.describeSource(),
      locationKey: this.locationKey,
      status,
      message,
      clusters,
    });
  }

  private sourceInfo() {
    return {
      locationKey: this.locationKey,
      sourceLabel: `${this.type}/${this.deps.id}`,
    };
  }

  private ownerRef(owner: unknown): string | undefined {
    if (typeof owner !== 'string' || !owner) return undefined;
    try {
      return stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      );
    } catch {
      return undefined;
    }
  }

  private async clustersInCatalog(): Promise<Set<string>> {
    const names = new Set<string>();
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    for await (const page of this.deps.catalog.streamEntities(
      {
        filter: {
          kind: 'Cluster',
          'metadata.annotations.backstage.io/managed-by-location':
            this.locationKey,
        },
        fields: ['metadata.name'],
      },
      { credentials },
    )) {
      page.forEach(e => names.add(e.metadata.name));
    }
    return names;
  }

  /** Refs of every Group and User, or undefined while the catalog has none (still starting). */
  private async knownOwners(): Promise<Set<string> | undefined> {
    const refs = new Set<string>();
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    for await (const page of this.deps.catalog.streamEntities(
      {
        filter: { kind: ['Group', 'User'] },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    )) {
      page.forEach(e => refs.add(stringifyEntityRef(e)));
    }
    return refs.size ? refs : undefined;
  }
}

export { ANNOTATION_INVENTORY_STATUS };
