import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  fleetFilter,
  fleetPlan,
  fleetRequest,
  scanRefs,
  SCAN_LIMIT,
  splitRefsFilters,
  stateFromParams,
  stateToParams,
} from './fleetQuery';

describe('Fleet page state', () => {
  it('round-trips through the URL, so a filtered Fleet page can be linked', () => {
    const params = new URLSearchParams(
      'engine=kafka&environment=production&owner=group:default/platform-kafka&q=pay&sort=version&order=desc',
    );
    const state = stateFromParams(params);
    expect(state).toEqual({
      q: 'pay',
      filters: {
        engine: 'kafka',
        environment: 'production',
        owner: 'group:default/platform-kafka',
      },
      sort: 'version',
      order: 'desc',
    });
    expect(stateFromParams(stateToParams(state))).toEqual(state);
  });

  it('asks the by-query API for one page, filtered, searched and sorted on the server', () => {
    const request = fleetRequest(
      stateFromParams(
        new URLSearchParams(
          'engine=kafka&owner=group:default/sre&q=3.5&sort=nodes',
        ),
      ),
      50,
    ) as any;
    expect(request.limit).toBe(50);
    expect(request.filter).toEqual({
      kind: 'cluster',
      'spec.engine': 'kafka',
      'relations.ownedBy': 'group:default/sre',
    });
    expect(request.fullTextFilter.term).toBe('3.5');
    expect(request.orderFields[0]).toEqual({
      field: 'metadata.labels.fleetdeck.io/node-count',
      order: 'asc',
    });
    expect(request.fields).not.toContain('spec.endpoints');
  });

  it('ignores an unknown sort column', () => {
    expect(stateFromParams(new URLSearchParams('sort=password')).sort).toBe(
      'name',
    );
  });

  it('keeps the policy filter in the URL and asks for the versions it resolved to, per engine', () => {
    const state = stateFromParams(
      new URLSearchParams(
        'engine=kafka&environment=production&policy=outdated',
      ),
    );
    expect(state.policy).toBe('outdated');
    expect(stateToParams(state).get('policy')).toBe('outdated');
    expect(stateFromParams(new URLSearchParams('policy=shiny')).policy).toBe(
      undefined,
    );
    const versions = { kafka: ['3.5.1', '3.6.2'], mongodb: ['5.0.26'] };
    expect(fleetFilter(state, versions)).toEqual([
      {
        kind: 'cluster',
        'spec.engine': 'kafka',
        'spec.environment': 'production',
        'spec.version': ['3.5.1', '3.6.2'],
      },
    ]);
    expect(fleetFilter({ ...state, filters: {} }, versions)).toHaveLength(2);
  });

  it('asks nothing when no version in use matches the policy filter', () => {
    const state = stateFromParams(new URLSearchParams('policy=eol'));
    expect(fleetRequest(state, 50, { kafka: [], mongodb: [] })).toBeNull();
  });

  it('keeps the maintenance and certificate filters in the URL, and drops unknown buckets', () => {
    const state = stateFromParams(
      new URLSearchParams('maintenance=patch:31-90&certificates=le7'),
    );
    expect(state).toMatchObject({
      maintenance: { type: 'patch', bucket: '31-90' },
      certificates: 'le7',
    });
    expect(stateFromParams(stateToParams(state))).toEqual(state);
    const bad = stateFromParams(
      new URLSearchParams('maintenance=patch:soon&certificates=someday'),
    );
    expect(bad.maintenance).toBeUndefined();
    expect(bad.certificates).toBeUndefined();
  });

  it('asks for the clusters the maintenance filters resolved to, by namespace, in a predicate', () => {
    const state = stateFromParams(
      new URLSearchParams('engine=kafka&maintenance=patch:never'),
    );
    const request = fleetRequest(state, 50, undefined, [
      {
        refs: ['cluster:default/a', 'cluster:default/b', 'cluster:team-x/c'],
        negate: true,
      },
      { refs: ['cluster:default/a'] },
    ]) as any;
    expect(request.filter).toEqual({ kind: 'cluster', 'spec.engine': 'kafka' });
    expect(request.query).toEqual({
      $all: [
        {
          $not: {
            $any: [
              {
                'metadata.namespace': 'default',
                'metadata.name': { $in: ['a', 'b'] },
              },
              {
                'metadata.namespace': 'team-x',
                'metadata.name': { $in: ['c'] },
              },
            ],
          },
        },
        {
          $any: [
            {
              'metadata.namespace': 'default',
              'metadata.name': { $in: ['a'] },
            },
          ],
        },
      ],
    });
    // no cluster in a bucket: nothing to ask; none to leave out: all of them
    expect(fleetRequest(state, 50, undefined, [{ refs: [] }])).toBeNull();
    expect(
      fleetRequest(state, 50, undefined, [{ refs: [], negate: true }]),
    ).not.toHaveProperty('query');
    expect(
      (
        fleetRequest(state, 50, undefined, [
          { refs: ['cluster:default/a'] },
        ]) as any
      ).query,
    ).toEqual({
      $any: [
        { 'metadata.namespace': 'default', 'metadata.name': { $in: ['a'] } },
      ],
    });
  });

  it('asks the catalog for a refs filter that fits one request, and leaves a larger one to the browser', () => {
    const refs = Array.from(
      { length: 10_000 },
      (_, i) => `cluster:default/kafka-prod-${String(i).padStart(4, '0')}`,
    );
    const state = stateFromParams(new URLSearchParams('maintenance=patch:le7'));
    const small = fleetPlan(state, 50, undefined, [
      { refs: refs.slice(0, 2000) },
    ])!;
    expect(small.request).toHaveProperty('query');
    expect(small.keep).toBeUndefined();

    // 10,000 refs: the request has the other filters only, the browser the refs
    const large = fleetPlan(state, 50, undefined, [{ refs }])!;
    expect(large.request).not.toHaveProperty('query');
    expect((large.request as any).filter).toEqual({ kind: 'cluster' });
    expect(large.keep!('cluster:default/kafka-prod-9999')).toBe(true);
    // the catalog compares without case, and so does the browser
    expect(large.keep!('Cluster:default/KAFKA-prod-0001')).toBe(true);
    expect(large.keep!('cluster:default/kafka-prod-10000')).toBe(false);
    expect(large.keep!('cluster:other/kafka-prod-0001')).toBe(false);

    // never (every cluster but 10,000) and a small certificate bar: the small
    // one goes to the catalog, the browser leaves the 10,000 out
    const both = fleetPlan(state, 50, undefined, [
      { refs, negate: true },
      { refs: ['cluster:default/kafka-prod-0001', 'cluster:default/x'] },
    ])!;
    expect((both.request as any).query).toEqual({
      $any: [
        {
          'metadata.namespace': 'default',
          'metadata.name': { $in: ['kafka-prod-0001', 'x'] },
        },
      ],
    });
    expect(both.keep!('cluster:default/x')).toBe(true);
    expect(both.keep!('cluster:default/kafka-prod-0001')).toBe(false);

    // an empty bucket still asks nothing
    expect(
      fleetPlan(state, 50, undefined, [{ refs, negate: true }, { refs: [] }]),
    ).toBeNull();
    expect(splitRefsFilters([{ refs }, { refs }]).client).toHaveLength(2);
  });
});

describe('scanRefs', () => {
  it('lists the refs of 10,000 clusters in the order asked, kind, namespace and name only, and keeps those asked for', async () => {
    const clusters = Array.from({ length: 10_000 }, (_, i) => ({
      apiVersion: 'fleetdeck.io/v1alpha1',
      kind: 'Cluster',
      metadata: {
        name: `kafka-prod-${String(i).padStart(5, '0')}`,
        namespace: 'default',
      },
      spec: {
        engine: i % 2 ? 'kafka' : 'postgres',
        version: '3.7.1',
        owner: 'group:default/sre',
        region: 'eu-west-1',
        nodes: Array.from({ length: 6 }, (_n, j) => ({ name: `node-${j}` })),
      },
    }));
    const catalog = catalogApiMock({ entities: clusters });
    // what travels: requests and their bodies, rows and their bytes
    const sent: number[] = [];
    const received: number[] = [];
    const counted = {
      queryEntities: async (request: any) => {
        sent.push(JSON.stringify(request).length);
        const response = await catalog.queryEntities(request);
        received.push(JSON.stringify(response.items).length);
        return response;
      },
    };
    // the never bar of a fleet where 9,000 had a patch: every cluster but those
    const patched = clusters
      .slice(1000)
      .map(c => `cluster:default/${c.metadata.name}`);
    const state = stateFromParams(
      new URLSearchParams('engine=kafka&sort=name&order=desc'),
    );
    const plan = fleetPlan(state, 50, undefined, [
      { refs: patched, negate: true },
    ])!;
    const refs = await scanRefs(counted, plan.request, plan.keep);
    // the kafka half of the first 1,000, in the order asked
    expect(refs).toHaveLength(500);
    expect(refs[0]).toBe('cluster:default/kafka-prod-00999');
    expect(refs[499]).toBe('cluster:default/kafka-prod-00001');
    // 5,000 kafka clusters listed in 2 requests of a few hundred bytes each,
    // about 80 bytes a cluster back (their nodes stay on the server)
    expect(sent).toHaveLength(Math.ceil(5000 / SCAN_LIMIT));
    expect(Math.max(...sent)).toBeLessThan(2000);
    const perCluster = received.reduce((a, b) => a + b, 0) / 5000;
    expect(perCluster).toBeLessThan(100);
    // eslint-disable-next-line no-console
    console.log(
      `scanRefs: ${sent.length} requests (${sent.join(
        ', ',
      )} bytes), ${perCluster.toFixed(1)} bytes a cluster back`,
    );
  });
});
