import {
  compareVersions,
  isBelowPolicy,
  VersionPolicy,
  VersionStatus,
  versionStatus,
} from '@fleetdeck/plugin-fleet-common';
import type { FacetCount } from '../VersionPolicy';

/** One version in use by an engine's clusters. */
export interface VersionCount extends FacetCount {
  status: VersionStatus;
}

/** An engine's clusters, by version and by standing against the policy. */
export interface EngineSummary {
  engine: string;
  total: number;
  /** Oldest first: the versions that need attention lead. */
  versions: VersionCount[];
  hasPolicy: boolean;
  current: number;
  /** Below the minimum, end-of-life included. */
  outdated: number;
  eol: number;
}

/** Counts per engine from the catalog's facets, largest fleet first. */
export function summarizeEngines(
  policy: VersionPolicy,
  engines: FacetCount[],
  versions: Record<string, FacetCount[]>,
): EngineSummary[] {
  return engines
    .map(({ value: engine, count }) => {
      const list = (versions[engine] ?? [])
        .map(v => ({ ...v, status: versionStatus(policy, engine, v.value) }))
        .sort((a, b) => compareVersions(a.value, b.value));
      const sum = (pick: (v: VersionCount) => boolean) =>
        list.filter(pick).reduce((n, v) => n + v.count, 0);
      return {
        engine,
        total: count,
        versions: list,
        hasPolicy: !!policy[engine as keyof VersionPolicy],
        current: sum(v => v.status === 'current'),
        outdated: sum(v => isBelowPolicy(v.status)),
        eol: sum(v => v.status === 'eol'),
      };
    })
    .sort((a, b) => b.total - a.total || a.engine.localeCompare(b.engine));
}
