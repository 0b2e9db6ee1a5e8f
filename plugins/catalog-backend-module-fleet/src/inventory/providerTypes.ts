import type {
  AuthService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { MissingEntities } from '../reconcile/healStuckEntities';
import type { InventoryCounts } from '../reconcile/servedClusters';
import type { InventoryStatus } from './inventoryStatusEntity';

/** What a provider needs besides its own source settings. */
export interface InventoryProviderDeps {
  id: string;
  logger: LoggerService;
  taskRunner: SchedulerServiceTaskRunner;
  catalog: CatalogService;
  auth: AuthService;
  maxShrinkRatio: number;
  /** Makes entities the catalog processed but never stitched go through again (see healStuckEntities). */
  heal?: (refs: string[]) => Promise<MissingEntities>;
  /** The refs a kind=Cluster query serves of those emitted under a location key; default: through the catalog API. */
  served?: (locationKey: string) => Promise<Map<string, string | undefined>>;
  /** How soon to check owners again while the org is still being ingested; default 15 s. */
  ownerRecheckMs?: number;
}

/** The result of one refresh, for tests and logs. */
export interface RefreshResult {
  status: InventoryStatus;
  message: string;
  clusters: number;
}

/** The result of one reconcile pass. */
export interface ReconcileResult {
  counts: InventoryCounts;
  /** Refs whose hashes were reset so the catalog stitches them again. */
  healed: string[];
}
