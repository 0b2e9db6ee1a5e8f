import { Entity } from '@backstage/catalog-model';
import { entityMatchesFilter, explainFilterMismatch } from './filter';
import { parseDuration, runbookSpecSchema } from './entity';

const cluster: Entity = {
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'kafka-prod-01', tags: ['kafka', 'eu'] },
  spec: { engine: 'kafka', environment: 'production', nodes: ['a', 'b'] },
};

describe('runbook filters', () => {
  it('matches kind and spec fields case-insensitively', () => {
    expect(
      entityMatchesFilter(cluster, { kind: 'cluster', 'spec.engine': 'Kafka' }),
    ).toBe(true);
    expect(
      entityMatchesFilter(cluster, { 'spec.environment': ['dev', 'staging'] }),
    ).toBe(false);
    expect(entityMatchesFilter(cluster, { 'metadata.tags': 'eu' })).toBe(true);
  });

  it('explains why an entity is excluded', () => {
    expect(
      explainFilterMismatch(cluster, {
        'spec.engine': 'mongodb',
        'spec.region': 'eu',
      }),
    ).toEqual([
      'spec.engine is kafka, not mongodb',
      'spec.region is not set, not eu',
    ]);
  });

  it('does not walk into prototypes', () => {
    expect(
      entityMatchesFilter(cluster, { 'spec.constructor.name': 'Object' }),
    ).toBe(false);
  });
});

describe('runbook spec', () => {
  it('rejects duplicate step ids and bad durations', () => {
    const base = {
      owner: 'group:default/sre',
      targets: { kind: 'Cluster' },
      steps: [{ id: 'a', executor: 'ansible' }],
    };
    expect(runbookSpecSchema.safeParse(base).success).toBe(true);
    expect(
      runbookSpecSchema.safeParse({
        ...base,
        steps: [base.steps[0], base.steps[0]],
      }).success,
    ).toBe(false);
    expect(
      runbookSpecSchema.safeParse({ ...base, timeout: 'forever' }).success,
    ).toBe(false);
    expect(parseDuration('10m', 0)).toBe(600_000);
    expect(parseDuration(undefined, 42)).toBe(42);
  });
});
