import type { ClusterEntity, MaintenanceWindow } from './types';

/** Catalog filter selecting every Cluster entity (for getEntities / queryEntities). */
export const CLUSTER_ENTITY_FILTER = { kind: 'Cluster' } as const;

/** Annotation naming the inventory source (provider) a Cluster came from. */
export const ANNOTATION_INVENTORY_SOURCE = 'fleetdeck.io/inventory-source';

/** Annotation naming the Ansible group (or HTTP record id) a Cluster came from. */
export const ANNOTATION_INVENTORY_GROUP = 'fleetdeck.io/inventory-group';

/** Label carrying the engine, so the stock catalog table and filters can use it. */
export const LABEL_ENGINE = 'fleetdeck.io/engine';

/** Label carrying the environment. */
export const LABEL_ENVIRONMENT = 'fleetdeck.io/environment';

/** Label carrying the number of nodes (set by the catalog processor). */
export const LABEL_NODE_COUNT = 'fleetdeck.io/node-count';

/**
 * Annotation carrying engine and version together, `<engine>/<version>` (set
 * by the catalog processor), so one facet counts every engine's versions. An
 * annotation, not a label: versions keep characters labels may not hold.
 */
export const ANNOTATION_ENGINE_VERSION = 'fleetdeck.io/engine-version';

/** The value of ANNOTATION_ENGINE_VERSION for an engine and version. */
export function engineVersionValue(engine: string, version: string): string {
  return `${engine}/${version}`;
}

/** Engine and version from an ANNOTATION_ENGINE_VERSION value. */
export function parseEngineVersionValue(
  value: string,
): { engine: string; version: string } | undefined {
  const at = value.indexOf('/');
  if (at <= 0 || at === value.length - 1) return undefined;
  return { engine: value.slice(0, at), version: value.slice(at + 1) };
}

const DAY_NAMES: Record<string, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

/** Human-readable form of a maintenance window, e.g. `Sun 02:00–04:00 (Europe/Berlin)`. */
export function formatMaintenanceWindow(window?: MaintenanceWindow): string {
  if (!window) return 'none';
  const [h, m] = window.start.split(':').map(Number);
  const endMinutes = (h * 60 + m + window.durationMinutes) % (24 * 60);
  const end = `${String(Math.floor(endMinutes / 60)).padStart(2, '0')}:${String(
    endMinutes % 60,
  ).padStart(2, '0')}`;
  const days = window.days.map(d => DAY_NAMES[d] ?? d).join(', ');
  return `${days} ${window.start}–${end} (${window.timezone})`;
}

/** Number of nodes of a cluster. */
export function clusterNodeCount(cluster: ClusterEntity): number {
  return cluster.spec.nodes?.length ?? 0;
}

/**
 * Compares version strings numerically per dot-separated part
 * (`3.5.1` < `3.10`), falling back to string order for non-numeric parts.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const c =
      x !== '' && y !== '' && !isNaN(nx) && !isNaN(ny)
        ? nx - ny
        : x.localeCompare(y);
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

/** True when `version` is `line` or a release on it (`3.5.2` is on line `3.5`). */
export function isOnVersionLine(version: string, line: string): boolean {
  return version === line || version.startsWith(`${line}.`);
}
