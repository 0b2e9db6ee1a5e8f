import type { CatalogApi } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_ENGINE_VERSION,
  isBelowPolicy,
  parseEngineVersionValue,
  VersionPolicy,
  versionStatus,
} from '@fleetdeck/plugin-fleet-common';
import type { PolicyFilter, PolicyVersions } from '../FleetPage/fleetQuery';

/** A value of a catalog facet with the number of entities that have it. */
export interface FacetCount {
  value: string;
  count: number;
}

/** The catalog facet counting clusters per engine and version together. */
export const ENGINE_VERSION_FACET = `metadata.annotations.${ANNOTATION_ENGINE_VERSION}`;

/**
 * Versions per engine from the engine-version facet, for each of `engines`
 * whose version counts add up to its cluster count in the `spec.engine`
 * facet. Engines that do not add up (clusters the processor has not seen
 * since it began setting the annotation) are left out.
 */
export function splitEngineVersions(
  engines: string[],
  facets: Record<string, FacetCount[] | undefined>,
): Record<string, FacetCount[]> {
  const counted: Record<string, FacetCount[]> = {};
  for (const { value, count } of facets[ENGINE_VERSION_FACET] ?? []) {
    const parsed = parseEngineVersionValue(value);
    if (parsed)
      (counted[parsed.engine] ??= []).push({ value: parsed.version, count });
  }
  const result: Record<string, FacetCount[]> = {};
  for (const engine of engines) {
    const total =
      facets['spec.engine']?.find(e => e.value === engine)?.count ?? 0;
    const versions = counted[engine] ?? [];
    if (versions.reduce((n, v) => n + v.count, 0) === total)
      result[engine] = versions;
  }
  return result;
}

/**
 * The versions in use per engine with their cluster counts, counted by the
 * catalog in its database, so the browser gets a few numbers whatever the
 * size of the fleet. One facet request (`spec.engine` with the engine-version
 * facet) answers for every engine; pass `facets` when that request is already
 * answered. An engine whose counts do not add up yet is asked on its own.
 */
export async function fetchEngineVersions(
  catalogApi: CatalogApi,
  engines: string[],
  facets?: Record<string, FacetCount[] | undefined>,
): Promise<Record<string, FacetCount[]>> {
  const counted =
    facets ??
    (
      await catalogApi.getEntityFacets({
        filter: { kind: 'cluster' },
        facets: ['spec.engine', ENGINE_VERSION_FACET],
      })
    ).facets;
  const result = splitEngineVersions(engines, counted);
  const missing = engines.filter(engine => !result[engine]);
  const answers = await Promise.all(
    missing.map(engine =>
      catalogApi.getEntityFacets({
        filter: { kind: 'cluster', 'spec.engine': engine },
        facets: ['spec.version'],
      }),
    ),
  );
  missing.forEach((engine, i) => {
    result[engine] = answers[i].facets['spec.version'] ?? [];
  });
  return result;
}

/** Whether a version's standing matches a policy filter. */
export function matchesPolicy(
  policy: VersionPolicy,
  engine: string,
  version: string,
  filter: PolicyFilter,
): boolean {
  const status = versionStatus(policy, engine, version);
  if (filter === 'outdated') return isBelowPolicy(status);
  return status === filter;
}

/** The versions in use, per engine with a policy, that match the filter. */
export function policyVersionsFor(
  policy: VersionPolicy,
  versions: Record<string, FacetCount[]>,
  filter: PolicyFilter,
): PolicyVersions {
  const result: PolicyVersions = {};
  for (const [engine, counts] of Object.entries(versions)) {
    if (!policy[engine as keyof VersionPolicy]) continue;
    result[engine] = counts
      .map(c => c.value)
      .filter(v => matchesPolicy(policy, engine, v, filter));
  }
  return result;
}

/** Resolves a policy filter against the catalog: which versions it means now. */
export async function resolvePolicyVersions(
  catalogApi: CatalogApi,
  policy: VersionPolicy,
  filter: PolicyFilter,
  engine?: string,
): Promise<PolicyVersions> {
  const engines = Object.keys(policy).filter(e => !engine || e === engine);
  return policyVersionsFor(
    policy,
    await fetchEngineVersions(catalogApi, engines),
    filter,
  );
}
