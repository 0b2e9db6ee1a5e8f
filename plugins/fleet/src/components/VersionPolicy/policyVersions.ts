import type { CatalogApi } from '@backstage/plugin-catalog-react';
import {
  isBelowPolicy,
  VersionPolicy,
  versionStatus,
} from '@fleetdeck/plugin-fleet-common';
import type { PolicyFilter, PolicyVersions } from '../FleetPage/fleetQuery';

/** A value of a catalog facet with the number of entities that have it. */
export interface FacetCount {
  value: string;
  count: number;
}

/**
 * The versions in use per engine with their cluster counts: one facet query
 * per engine, so the catalog counts in its database and the browser gets a
 * few numbers whatever the size of the fleet.
 */
export async function fetchEngineVersions(
  catalogApi: CatalogApi,
  engines: string[],
): Promise<Record<string, FacetCount[]>> {
  const answers = await Promise.all(
    engines.map(engine =>
      catalogApi.getEntityFacets({
        filter: { kind: 'cluster', 'spec.engine': engine },
        facets: ['spec.version'],
      }),
    ),
  );
  return Object.fromEntries(
    engines.map((engine, i) => [
      engine,
      answers[i].facets['spec.version'] ?? [],
    ]),
  );
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
