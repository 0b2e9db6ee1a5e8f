import {
  fleetFilter,
  fleetRequest,
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

  it('refuses a refs filter larger than the catalog takes, with the reason', () => {
    const refs = Array.from(
      { length: 5000 },
      (_, i) => `cluster:default/kafka-prod-${String(i).padStart(4, '0')}`,
    );
    const state = stateFromParams(new URLSearchParams('maintenance=patch:le7'));
    expect(() => fleetRequest(state, 50, undefined, [{ refs }])).toThrow(
      /name 5000 clusters, more than the catalog takes in one query/,
    );
    expect(
      fleetRequest(state, 50, undefined, [{ refs: refs.slice(0, 2000) }]),
    ).toHaveProperty('query');
  });
});
