import { isClusterEntity, validateClusterEntity } from './validate';
import { clusterEntityJsonSchema } from './jsonSchema';

const cluster = {
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'kafka-prod-01', labels: { tier: 'gold' } },
  spec: {
    engine: 'kafka',
    version: '3.5.1',
    environment: 'production',
    owner: 'group:default/platform-kafka',
    nodes: ['kafka-prod-01-b1.fra.example', 'kafka-prod-01-b2.fra.example'],
    endpoints: [{ name: 'bootstrap', url: 'kafka-prod-01.fra.example:9093' }],
    maintenanceWindow: {
      days: ['sun'],
      start: '02:00',
      durationMinutes: 120,
      timezone: 'Europe/Berlin',
    },
  },
};

describe('validateClusterEntity', () => {
  it('accepts a complete cluster and keeps metadata', () => {
    const result = validateClusterEntity(cluster);
    expect(result.ok).toBe(true);
    expect(isClusterEntity(cluster as any)).toBe(true);
  });

  it('names the entity and the field that is wrong', () => {
    const result = validateClusterEntity({
      ...cluster,
      spec: { ...cluster.spec, owner: undefined, engine: 'oracle' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('cluster:default/kafka-prod-01');
    expect(result.issues.map(i => i.field).sort()).toEqual([
      'spec.engine',
      'spec.owner',
    ]);
  });

  it('rejects a host name with spaces, naming its index', () => {
    const result = validateClusterEntity({
      ...cluster,
      spec: { ...cluster.spec, nodes: ['ok-1', 'not a host'] },
    });
    expect(!result.ok && result.issues[0].field).toBe('spec.nodes.1');
  });

  it('does not take Components for clusters', () => {
    expect(isClusterEntity({ ...cluster, kind: 'Component' } as any)).toBe(
      false,
    );
  });

  it('exports a JSON schema with the spec fields', () => {
    const spec = (clusterEntityJsonSchema as any).properties.spec;
    expect(spec.required).toEqual(
      expect.arrayContaining([
        'engine',
        'version',
        'environment',
        'owner',
        'nodes',
        'endpoints',
      ]),
    );
  });
});
