import type { Entity } from '@backstage/catalog-model';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  engineVersionValue,
  parseEngineVersionValue,
} from '@fleetdeck/plugin-fleet-common';
/* eslint-disable @backstage/no-relative-monorepo-imports */
import { ClusterEntitiesProcessor } from '../../../../catalog-backend-module-fleet/src/processor/ClusterEntitiesProcessor';
/* eslint-enable @backstage/no-relative-monorepo-imports */
import { demoClusters } from '../FleetOverview/__testUtils__/demoFleet';
import { FacetCount } from './policyVersions';
import { fetchEngineVersions } from '.';

jest.setTimeout(60_000);

let clusters: Entity[];
let processed: Entity[];

beforeAll(async () => {
  clusters = await demoClusters();
  const processor = new ClusterEntitiesProcessor();
  processed = await Promise.all(
    clusters.map(e =>
      processor.postProcessEntity(
        e,
        { type: 'url', target: 'https://example.com/hosts.ini' },
        () => {},
      ),
    ),
  );
});

const spec = (e: Entity) => e.spec as Record<string, string>;
const ENGINES = ['kafka', 'mongodb', 'postgresql', 'kubernetes', 'redis'];

/** Versions per engine counted straight from the entities. */
function expected(engines: string[]): Record<string, FacetCount[]> {
  return Object.fromEntries(
    engines.map(engine => {
      const counts = new Map<string, number>();
      for (const e of clusters.filter(c => spec(c).engine === engine))
        counts.set(spec(e).version, (counts.get(spec(e).version) ?? 0) + 1);
      return [engine, [...counts].map(([value, count]) => ({ value, count }))];
    }),
  );
}
const sorted = (r: Record<string, FacetCount[]>) =>
  Object.fromEntries(
    Object.entries(r).map(([k, v]) => [
      k,
      [...v].sort((a, b) => a.value.localeCompare(b.value)),
    ]),
  );

describe('fetchEngineVersions', () => {
  it('counts every engine’s versions with one facet request once the processor annotated the clusters', async () => {
    const catalogApi = catalogApiMock({ entities: processed });
    const facets = jest.spyOn(catalogApi, 'getEntityFacets');
    const versions = await fetchEngineVersions(catalogApi, ENGINES);
    expect(sorted(versions)).toEqual(sorted(expected(ENGINES)));
    expect(versions.kafka.reduce((n, v) => n + v.count, 0)).toBe(30);
    expect(facets).toHaveBeenCalledTimes(1);
  });

  it('asks on their own only for engines whose clusters are not all annotated yet', async () => {
    const mixed = processed.map((e, i) =>
      spec(e).engine === 'kafka' ? clusters[i] : e,
    );
    const catalogApi = catalogApiMock({ entities: mixed });
    const facets = jest.spyOn(catalogApi, 'getEntityFacets');
    const versions = await fetchEngineVersions(catalogApi, ENGINES);
    expect(sorted(versions)).toEqual(sorted(expected(ENGINES)));
    expect(facets).toHaveBeenCalledTimes(2);
    expect(facets).toHaveBeenLastCalledWith({
      filter: { kind: 'cluster', 'spec.engine': 'kafka' },
      facets: ['spec.version'],
    });
  });

  it('answers an engine without clusters with no versions, without asking again', async () => {
    const catalogApi = catalogApiMock({
      entities: processed.filter(e => spec(e).engine !== 'redis'),
    });
    const facets = jest.spyOn(catalogApi, 'getEntityFacets');
    const versions = await fetchEngineVersions(catalogApi, ['redis', 'kafka']);
    expect(versions.redis).toEqual([]);
    expect(sorted({ kafka: versions.kafka })).toEqual(
      sorted(expected(['kafka'])),
    );
    expect(facets).toHaveBeenCalledTimes(1);
  });
});

describe('the engine-version annotation value', () => {
  it('keeps versions whole, whatever characters they hold', () => {
    for (const version of ['3.5.1', '1.28.3+k3s1', 'v1/rc-2', 'A.B']) {
      expect(
        parseEngineVersionValue(engineVersionValue('kubernetes', version)),
      ).toEqual({ engine: 'kubernetes', version });
    }
    expect(parseEngineVersionValue('kafka')).toBeUndefined();
    expect(parseEngineVersionValue('kafka/')).toBeUndefined();
  });
});
