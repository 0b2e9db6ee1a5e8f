import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { VersionPolicy } from '@fleetdeck/plugin-fleet-common';
import {
  ENGINE_VERSION_FACET,
  fetchEngineVersions,
  FacetCount,
} from '../VersionPolicy';
import { EngineSummary, summarizeEngines } from './overviewModel';

/** What the overview draws: per engine versions and standing, per environment counts. */
export interface FleetOverviewData {
  total: number;
  engines: EngineSummary[];
  environments: FacetCount[];
}

/**
 * The overview's numbers, all counted by the catalog in one facet request:
 * engines, environments, and versions per engine (the engine-version
 * annotation the catalog processor sets). Only engines whose clusters the
 * processor has not yet annotated are asked for their versions on their own.
 * The browser never lists the clusters themselves, so 10,000 cost what 95 do.
 */
export function useFleetOverview(policy: VersionPolicy) {
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async (): Promise<FleetOverviewData> => {
    const { facets } = await catalogApi.getEntityFacets({
      filter: { kind: 'cluster' },
      facets: ['spec.engine', 'spec.environment', ENGINE_VERSION_FACET],
    });
    const engines = facets['spec.engine'] ?? [];
    const versions = await fetchEngineVersions(
      catalogApi,
      engines.map(e => e.value),
      facets,
    );
    return {
      total: engines.reduce((n, e) => n + e.count, 0),
      engines: summarizeEngines(policy, engines, versions),
      environments: facets['spec.environment'] ?? [],
    };
  }, [catalogApi, policy]);
}
