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
import { OwnerCheck, OwnerVerdict, sameSet } from './ownerCheck';
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
  /** The owners the clusters name, and which of them the clusters report as unknown. */
  owners: Set<string>;
  reported: Set<string>;
  /** What the message was made of, to remake it when only the owners awaited change. */
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
        : { healed: [], failing: [], pending: check };
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

  /**
   * Reads the inventory and applies it as a full mutation. `checked` is an
   * owner verdict the caller has just made for these owners; without it (or
   * when the inventory now names other owners) the owners are checked here.
   */
  private async applyInventory(checked?: {
    owners: Set<string>;
    verdict: OwnerVerdict;
  }): Promise<{
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

    const wanted = new Set(
      valid.flatMap(d => fullEntityRef(d.owner, OWNER) ?? []),
    );
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
      owners =
        checked && sameSet(checked.owners, wanted)
          ? checked.verdict
          : await this.owners.check(wanted);
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

    const entities = valid.map(draft => {
      const own: string[] = [...(draft.problems ?? [])];
      own.forEach(problem => problems.push(`${draft.origin}: ${problem}`));
      const owner = fullEntityRef(draft.owner, OWNER);
      if (owner && owners.report.has(owner)) {
        const problem = `spec.owner: ${owner} is not a Group or User in the catalog`;
        own.push(problem);
        problems.push(`${draft.origin}: ${problem}`);
      }
      return withContentHash(draftToEntity(draft, this.sourceInfo(), own));
    });

    const status = problems.length ? 'warnings' : 'ok';
    const message = refreshMessage({
      clusters: entities.length,
      source: this.describeSource(),
      removed: verdict.removed.length,
      problems,
      waiting: owners.waiting,
      recheckMs: this.ownerRecheckMs,
    });
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
      owners: wanted,
      reported: owners.report,
      removed: verdict.removed.length,
      problems,
    };
    this.scheduleOwnerRecheck(owners.recheckInMs);
    if (problems.length)
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

  /**
   * Checks the owners the last applied clusters name again. A cluster
   * changes only when its owner goes from awaited or unknown to found, or
   * from awaited to reported; while that set stays the same, the clusters
   * stay as they are and only the status entity's message (which owners are
   * still awaited) is updated. Re-reading and re-applying the whole inventory
   * at every recheck cost a 50,000-cluster inventory a full mutation every
   * 15 s while the catalog was still processing the first one.
   */
  private recheckOwners(): Promise<unknown> {
    return this.serialized(async () => {
      const applied = this.lastApplied;
      if (!applied) return undefined;
      let verdict: OwnerVerdict;
      try {
        verdict = await this.owners.check(applied.owners);
      } catch (e) {
        this.logger.warn(`Could not check cluster owners: ${e}`);
        this.scheduleOwnerRecheck(this.ownerRecheckMs);
        return undefined;
      }
      if (!sameSet(verdict.report, applied.reported)) {
        const result = await this.applyInventory({
          owners: applied.owners,
          verdict,
        });
        if (result.applied) await this.reconcileSafely();
        return undefined;
      }
      const message = refreshMessage({
        clusters: applied.refs.size,
        source: this.describeSource(),
        removed: applied.removed,
        problems: applied.problems,
        waiting: verdict.waiting,
        recheckMs: this.ownerRecheckMs,
      });
      if (message !== applied.message) {
        applied.message = message;
        await this.connection!.applyMutation({
          type: 'delta',
          added: [
            {
              entity: this.statusEntity(
                applied.status,
                message,
                applied.refs.size,
              ),
              locationKey: this.locationKey,
            },
          ],
          removed: [],
        });
      }
      this.scheduleOwnerRecheck(verdict.recheckInMs);
      return undefined;
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
