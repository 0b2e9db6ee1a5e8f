import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { fullEntityRef } from '@fleetdeck/plugin-fleet-common';
import {
  InventoryCounts,
  servedClusters,
  servesRef,
} from '../reconcile/servedClusters';
import type {
  InventoryProviderDeps,
  RefreshResult,
  ReconcileResult,
} from './providerTypes';
import { ClusterDraft, draftToEntity } from './clusterDraft';
import { ANNOTATION_INVENTORY_HASH, withContentHash } from './contentHash';
import { OwnerCheck, OwnerVerdict } from './ownerCheck';
import { listSome, refreshMessage } from './refreshMessage';
import { checkShrink } from './shrinkGuard';
import {
  ANNOTATION_INVENTORY_STATUS,
  InventoryStatus,
  inventoryStatusEntity,
} from './inventoryStatusEntity';

/** A cluster's owner field names a Group unless it says otherwise. */
const OWNER = { defaultKind: 'group' };

export type {
  InventoryProviderDeps,
  RefreshResult,
  ReconcileResult,
} from './providerTypes';

interface Applied {
  names: Set<string>;
  /** Each emitted cluster's ref and content hash. */
  refs: Map<string, string>;
  status: InventoryStatus;
  message: string;
  /** Each owner the clusters name, with the origins of the clusters naming it. */
  owners: Map<string, string[]>;
  /** What the message is made of besides the owners, to remake it at an owner recheck. */
  removed: number;
  problems: string[];
}

const DEFAULT_OWNER_RECHECK_MS = 15_000;

const namesOf = (refs: Map<string, unknown>) =>
  new Set([...refs.keys()].map(ref => parseEntityRef(ref).name));

/**
 * What the Ansible and HTTP inventory providers share: the schedule, the
 * full mutation, the shrink guard, owner checks, the reconciliation of what
 * was emitted with what the catalog serves, and the status entity through
 * which refused refreshes, outages and those counts are surfaced.
 */
export abstract class InventoryEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private lastApplied?: Applied;
  private counts?: InventoryCounts;
  private queue: Promise<unknown> = Promise.resolve();
  private recheck?: NodeJS.Timeout;
  private readonly owners: OwnerCheck;
  protected readonly logger: LoggerService;

  protected constructor(
    protected readonly deps: InventoryProviderDeps,
    private readonly type: 'ansible' | 'http',
  ) {
    this.logger = deps.logger.child({ provider: this.getProviderName() });
    this.owners = new OwnerCheck(
      deps.catalog,
      deps.auth,
      deps.ownerRecheckMs ?? DEFAULT_OWNER_RECHECK_MS,
    );
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

  /** The ref of the provider's status entity. */
  get statusRef(): string {
    return stringifyEntityRef(this.statusEntity('ok', '', 0));
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

  /** Reads the inventory and applies it (unless refused), then reconciles. */
  async refresh(): Promise<RefreshResult> {
    return this.serialized(async () => {
      const result = await this.applyInventory();
      if (result.applied) await this.reconcileSafely();
      return result.outcome;
    });
  }

  /**
   * Compares the clusters last emitted with what the catalog serves, heals
   * what is stuck, and puts the counts on the status entity. A provider that
   * has not applied its inventory since this backend started applies it
   * first: after a restart its scheduled refresh may be minutes away.
   */
  async reconcile(): Promise<ReconcileResult | undefined> {
    return this.serialized(async () => {
      if (!this.lastApplied) await this.applyInventory();
      if (!this.lastApplied) return undefined;
      return this.reconcileApplied();
    });
  }

  /** Stops the owner recheck timer (backend shutdown, tests). */
  stop() {
    clearTimeout(this.recheck);
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reconcileSafely() {
    try {
      await this.reconcileApplied();
    } catch (e) {
      this.logger.warn(`Could not reconcile with the catalog: ${e}`);
    }
  }

  private async reconcileApplied(): Promise<ReconcileResult> {
    const applied = this.lastApplied!;
    const { catalog, auth } = this.deps;
    const served = this.deps.served
      ? await this.deps.served(this.locationKey)
      : await servedClusters({ catalog, auth, locationKey: this.locationKey });
    const missing = [...applied.refs]
      .filter(([ref, hash]) => served.get(ref) !== hash)
      .map(([ref]) => ref);
    const statusRef = this.statusRef;
    const statusServed = await servesRef({ catalog, auth, ref: statusRef });
    const check = statusServed ? missing : [...missing, statusRef];
    const found =
      check.length && this.deps.heal
        ? await this.deps.heal(check)
        : { healed: [], released: [], failing: [], pending: check };
    const failing = found.failing.filter(ref => ref !== statusRef).length;
    const counts: InventoryCounts = {
      emitted: applied.refs.size,
      served: applied.refs.size - missing.length,
      healing: missing.length - failing,
      failing,
    };
    if (found.healed.length) {
      this.logger.warn(
        `Healing ${
          found.healed.length
        } entities the catalog processed but never stitched (a backend stopped between processing and stitching): ${listSome(
          found.healed,
        )}`,
      );
    }
    if (found.released.length) {
      this.logger.warn(
        `Releasing ${
          found.released.length
        } entities from stitches a stopped backend had claimed (the catalog would wait out its stitch timeout first): ${listSome(
          found.released,
        )}`,
      );
    }
    if (JSON.stringify(counts) !== JSON.stringify(this.counts)) {
      this.counts = counts;
      await this.connection!.applyMutation({
        type: 'delta',
        added: [
          {
            entity: this.statusEntity(
              applied.status,
              applied.message,
              applied.refs.size,
            ),
            locationKey: this.locationKey,
          },
        ],
        removed: [],
      });
    }
    return { counts, healed: found.healed };
  }

  private async applyInventory(): Promise<{
    outcome: RefreshResult;
    applied: boolean;
  }> {
    const refused = async (status: InventoryStatus, message: string) => ({
      outcome: await this.surface(status, message),
      applied: false,
    });
    const started = Date.now();
    let drafts: ClusterDraft[];
    try {
      drafts = await this.load();
    } catch (e) {
      return refused(
        'failed',
        `inventory ${this.describeSource()} could not be read: ${
          (e as Error).message
        }. The previous clusters stay in the catalog.`,
      );
    }

    const problems: string[] = [];
    const byName = new Map<string, ClusterDraft>();
    for (const draft of drafts) {
      if (!draft.name) {
        problems.push(`${draft.origin}: no usable cluster name; skipped`);
        continue;
      }
      const other = byName.get(draft.name);
      if (other) {
        return refused(
          'refused',
          `refused: duplicate cluster name '${draft.name}' from ${other.origin} and ${draft.origin}. The previous clusters stay in the catalog.`,
        );
      }
      byName.set(draft.name, draft);
    }
    const valid = [...byName.values()];

    const owned = new Map<string, string[]>();
    for (const draft of valid) {
      const owner = fullEntityRef(draft.owner, OWNER);
      if (!owner) continue;
      const origins = owned.get(owner);
      if (origins) origins.push(draft.origin);
      else owned.set(owner, [draft.origin]);
    }
    let previous: Set<string>;
    let owners: OwnerVerdict;
    try {
      previous =
        this.lastApplied?.names ??
        namesOf(
          await servedClusters({
            catalog: this.deps.catalog,
            auth: this.deps.auth,
            locationKey: this.locationKey,
          }),
        );
      owners = await this.owners.check(owned.keys());
    } catch (e) {
      return refused(
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
    if (!verdict.allowed) return refused('refused', verdict.reason);

    // An owner that is not a Group or User is named on the status entity,
    // not on the cluster: the cluster is served as the inventory says (as the
    // catalog serves any entity whose owner is missing), and whether its owner
    // exists, which changes as the org is ingested, never changes the cluster
    // (at 50,000 clusters every such change is minutes of processing).
    const entities = valid.map(draft => {
      (draft.problems ?? []).forEach(problem =>
        problems.push(`${draft.origin}: ${problem}`),
      );
      return withContentHash(
        draftToEntity(draft, this.sourceInfo(), draft.problems),
      );
    });

    const removed = verdict.removed.length;
    const { status, message } = this.summary(
      entities.length,
      removed,
      problems,
      owned,
      owners,
    );
    await this.connection!.applyMutation({
      type: 'full',
      entities: [
        ...entities,
        this.statusEntity(status, message, entities.length),
      ].map(entity => ({
        entity,
        locationKey: this.locationKey,
      })),
    });
    this.lastApplied = {
      names: new Set(byName.keys()),
      refs: new Map(
        entities.map(e => [
          stringifyEntityRef(e),
          e.metadata.annotations![ANNOTATION_INVENTORY_HASH],
        ]),
      ),
      status,
      message,
      owners: owned,
      removed,
      problems,
    };
    this.scheduleOwnerRecheck(owners.recheckInMs);
    if (status === 'warnings')
      this.logger.warn(`Fleet inventory refreshed with problems: ${message}`);
    else
      this.logger.info(
        `Fleet inventory refreshed: ${message} in ${Date.now() - started} ms`,
      );
    return {
      outcome: { status, message, clusters: entities.length },
      applied: true,
    };
  }

  private get ownerRecheckMs() {
    return this.deps.ownerRecheckMs ?? DEFAULT_OWNER_RECHECK_MS;
  }

  private scheduleOwnerRecheck(inMs: number | undefined) {
    clearTimeout(this.recheck);
    if (inMs === undefined) return;
    this.recheck = setTimeout(() => {
      this.recheckOwners().catch(e =>
        this.logger.warn(`Owner recheck failed: ${e}`),
      );
    }, inMs);
    this.recheck.unref?.();
  }

  /** The status and message of an applied refresh: its problems, then its owners'. */
  private summary(
    clusters: number,
    removed: number,
    problems: string[],
    owned: Map<string, string[]>,
    owners: OwnerVerdict,
  ): { status: InventoryStatus; message: string } {
    const all = [...problems];
    for (const owner of owners.report) {
      for (const origin of owned.get(owner) ?? [])
        all.push(
          `${origin}: spec.owner: ${owner} is not a Group or User in the catalog`,
        );
    }
    return {
      status: all.length ? 'warnings' : 'ok',
      message: refreshMessage({
        clusters,
        source: this.describeSource(),
        removed,
        problems: all,
        waiting: owners.waiting,
        recheckMs: this.ownerRecheckMs,
      }),
    };
  }

  /**
   * Checks the owners the last applied clusters name again and updates the
   * status entity when what it says changes. The clusters stay as they are.
   */
  private recheckOwners(): Promise<unknown> {
    return this.serialized(async () => {
      const applied = this.lastApplied;
      if (!applied) return;
      let owners: OwnerVerdict;
      try {
        owners = await this.owners.check(applied.owners.keys());
      } catch (e) {
        this.logger.warn(`Could not check cluster owners: ${e}`);
        this.scheduleOwnerRecheck(this.ownerRecheckMs);
        return;
      }
      const { status, message } = this.summary(
        applied.refs.size,
        applied.removed,
        applied.problems,
        applied.owners,
        owners,
      );
      if (status !== applied.status || message !== applied.message) {
        applied.status = status;
        applied.message = message;
        if (status === 'warnings')
          this.logger.warn(`Fleet inventory owners checked: ${message}`);
        await this.connection!.applyMutation({
          type: 'delta',
          added: [
            {
              entity: this.statusEntity(status, message, applied.refs.size),
              locationKey: this.locationKey,
            },
          ],
          removed: [],
        });
      }
      this.scheduleOwnerRecheck(owners.recheckInMs);
    });
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
    return { status, message, clusters: this.lastApplied?.names.size ?? -1 };
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
      counts: clusters === undefined ? undefined : this.counts,
    });
  }

  private sourceInfo() {
    return {
      locationKey: this.locationKey,
      sourceLabel: `${this.type}/${this.deps.id}`,
    };
  }
}

export { ANNOTATION_INVENTORY_STATUS };
