import { parseEntityRef } from '@backstage/catalog-model';
import { ApiHolder } from '@backstage/core-plugin-api';
import {
  FleetMaintenanceResponse,
  RunbooksApi,
  runbooksApiRef,
} from '@fleetdeck/plugin-runbooks-react';
import type { CatalogApi } from '@backstage/plugin-catalog-react';
import {
  MAX_REFS_QUERY_BYTES,
  refsQuery,
  type FleetState,
  type RefsFilters,
} from '../FleetPage/fleetQuery';

const DAY = 86_400_000;

/** How long ago a runbook of a type last succeeded on a cluster. */
export const MAINTENANCE_BUCKETS = [
  { key: 'le7', label: '≤ 7 days', color: '#43a047' },
  { key: '8-30', label: '8–30 days', color: '#c0ca33' },
  { key: '31-90', label: '31–90 days', color: '#fb8c00' },
  { key: 'gt90', label: '> 90 days', color: '#e53935' },
  { key: 'never', label: 'Never', color: '#757575' },
] as const;

/** A bucket of the maintenance chart. */
export type MaintenanceBucket = (typeof MAINTENANCE_BUCKETS)[number]['key'];

/** How soon the first certificate of a cluster's latest TLS check expires. */
export const CERTIFICATE_BUCKETS = [
  { key: 'expired', label: 'Expired', color: '#b71c1c' },
  { key: 'le7', label: '≤ 7 days', color: '#e53935' },
  { key: '8-30', label: '8–30 days', color: '#fb8c00' },
] as const;

/** A bucket of the certificates chart. */
export type CertificateBucket = (typeof CERTIFICATE_BUCKETS)[number]['key'];

/** Runbook types in the order the chart offers them; others follow by name. */
const KNOWN_TYPES = ['patch', 'backup', 'security', 'check'];

/** The runbook types with any success, the usual ones first. */
export function maintenanceTypes(data: FleetMaintenanceResponse): string[] {
  const rank = (t: string) => KNOWN_TYPES.indexOf(t) + 1 || 99;
  return Object.keys(data.lastSucceeded).sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
}

/** The bucket of a success `days` ago. */
function maintenanceBucketOf(days: number): MaintenanceBucket {
  if (days <= 7) return 'le7';
  if (days <= 30) return '8-30';
  if (days <= 90) return '31-90';
  return 'gt90';
}

/**
 * The clusters of each bucket with a success of `type` (`never` is every
 * other cluster, so it holds no refs: see {@link maintenanceRefs}). Runs
 * outlive the clusters they ran on: see {@link countInCatalog}.
 */
export function maintenanceBuckets(
  data: FleetMaintenanceResponse,
  type: string,
  now: number,
): Record<Exclude<MaintenanceBucket, 'never'>, string[]> {
  const buckets = { le7: [], '8-30': [], '31-90': [], gt90: [] } as Record<
    Exclude<MaintenanceBucket, 'never'>,
    string[]
  >;
  for (const [ref, at] of Object.entries(data.lastSucceeded[type] ?? {})) {
    const days = Math.floor((now - Date.parse(at)) / DAY);
    const bucket = maintenanceBucketOf(days);
    if (bucket !== 'never') buckets[bucket].push(ref);
  }
  return buckets;
}

/** The bucket of a check whose first certificate expires in `days`, if within 30. */
function certificateBucketOf(days: number): CertificateBucket | undefined {
  if (days < 0) return 'expired';
  if (days <= 7) return 'le7';
  if (days <= 30) return '8-30';
  return undefined;
}

/** The clusters of each bucket, by their latest TLS check. */
export function certificateBuckets(
  data: FleetMaintenanceResponse,
): Record<CertificateBucket, string[]> {
  const buckets: Record<CertificateBucket, string[]> = {
    expired: [],
    le7: [],
    '8-30': [],
  };
  for (const [ref, check] of Object.entries(data.certificates)) {
    if (check.minDaysLeft === undefined) continue;
    const bucket = certificateBucketOf(check.minDaysLeft);
    if (bucket) buckets[bucket].push(ref);
  }
  return buckets;
}

/** The clusters of a maintenance bar: these refs, or (never) every cluster but these. */
export function maintenanceRefs(
  data: FleetMaintenanceResponse,
  type: string,
  bucket: string,
  now: number,
): RefsFilters[number] {
  if (bucket === 'never') {
    return { refs: Object.keys(data.lastSucceeded[type] ?? {}), negate: true };
  }
  return {
    refs:
      maintenanceBuckets(data, type, now)[
        bucket as Exclude<MaintenanceBucket, 'never'>
      ] ?? [],
  };
}

/** Reused for this long: the cards and the table's filter ask together. */
const CACHE_MS = 30_000;
const cache = new WeakMap<
  RunbooksApi,
  { at: number; promise: Promise<FleetMaintenanceResponse> }
>();

/**
 * The clusters' maintenance from the runbooks backend, or undefined when the
 * app has no runbooks API. One request serves callers for {@link CACHE_MS}.
 */
export function fetchFleetMaintenance(
  apis: ApiHolder,
  now = Date.now(),
): Promise<FleetMaintenanceResponse> | undefined {
  const api = apis.get(runbooksApiRef);
  if (!api?.getFleetMaintenance) return undefined;
  const hit = cache.get(api);
  if (hit && now - hit.at < CACHE_MS) return hit.promise;
  const promise = api.getFleetMaintenance({ kind: 'cluster' });
  cache.set(api, { at: now, promise });
  // a failure is not kept: the next caller asks again
  promise.catch(() => cache.delete(api));
  return promise;
}

/**
 * Whether an error means the runbooks backend is not there (not installed,
 * not reachable): the cards then show nothing rather than an error.
 */
export function isUnavailable(error: unknown): boolean {
  const e = error as
    | { name?: string; response?: { status?: number } }
    | undefined;
  return (
    e?.name === 'NotFoundError' ||
    e?.response?.status === 404 ||
    e?.response?.status === 503 ||
    // fetch could not reach the backend
    e?.name === 'TypeError'
  );
}

/**
 * The clusters the page's maintenance and certificate filters stand for,
 * from the runbooks backend; undefined without either filter. Throws when
 * the app has no runbooks API (a linked filter cannot be applied).
 */
export async function resolveRefsFilters(
  apis: ApiHolder,
  state: Pick<FleetState, 'maintenance' | 'certificates'>,
  now = Date.now(),
): Promise<RefsFilters | undefined> {
  if (!state.maintenance && !state.certificates) return undefined;
  const pending = fetchFleetMaintenance(apis, now);
  if (!pending) {
    throw new Error(
      'The maintenance and certificate filters need the runbooks plugin, which this portal does not have',
    );
  }
  const data = await pending;
  const filters: RefsFilters = [];
  if (state.maintenance) {
    const { type, bucket } = state.maintenance;
    filters.push(maintenanceRefs(data, type, bucket, now));
  }
  if (state.certificates) {
    filters.push({
      refs:
        certificateBuckets(data)[state.certificates as CertificateBucket] ?? [],
    });
  }
  return filters;
}

/** `refs` in groups whose catalog predicate fits one request (MAX_REFS_QUERY_BYTES). */
export function refsChunks(refs: string[]): string[][] {
  const fits = (chunk: string[]) =>
    JSON.stringify(refsQuery([{ refs: chunk }])).length <= MAX_REFS_QUERY_BYTES;
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let namespaces = new Set<string>();
  let bytes = 0;
  // a name costs its quotes and comma; a namespace its own predicate
  const cost = (namespace: string, name: string) =>
    name.length + 3 + (namespaces.has(namespace) ? 0 : namespace.length + 70);
  for (const ref of refs) {
    const { namespace, name } = parseEntityRef(ref);
    if (chunk.length && bytes + cost(namespace, name) > MAX_REFS_QUERY_BYTES) {
      chunks.push(chunk);
      chunk = [];
      namespaces = new Set();
      bytes = 0;
    }
    bytes += cost(namespace, name);
    chunk.push(ref);
    namespaces.add(namespace);
  }
  if (chunk.length) chunks.push(chunk);
  // should the estimate fall short: halve until it fits
  const split = (c: string[]): string[][] =>
    c.length < 2 || fits(c)
      ? [c]
      : [...split(c.slice(0, c.length >> 1)), ...split(c.slice(c.length >> 1))];
  return chunks.flatMap(split);
}

/**
 * How many of `refs` are clusters in the catalog: runs outlive the clusters
 * they ran on, and a bar counts what its filter shows. One count-only request
 * (no rows) per chunk that fits, in parallel: 10,000 refs of 15-character
 * names are 4 requests of at most 60 kB.
 */
export async function countInCatalog(
  catalogApi: Pick<CatalogApi, 'queryEntities'>,
  refs: string[],
): Promise<number> {
  const counts = await Promise.all(
    refsChunks(refs).map(async chunk => {
      const { totalItems } = await catalogApi.queryEntities({
        filter: { kind: 'cluster' },
        query: refsQuery([{ refs: chunk }])!,
        limit: 0,
      });
      return totalItems;
    }),
  );
  return counts.reduce((n, c) => n + c, 0);
}
