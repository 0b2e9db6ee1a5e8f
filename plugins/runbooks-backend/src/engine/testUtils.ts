import { Entity } from '@backstage/catalog-model';
import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';

/** A Cluster entity as the fleet catalog has them. */
export function cluster(
  name: string,
  spec: Record<string, unknown> = {},
): Entity {
  return {
    apiVersion: 'fleetdeck.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name, namespace: 'default' },
    spec: {
      engine: 'kafka',
      version: '3.6.0',
      environment: 'staging',
      owner: 'group:default/platform-kafka',
      region: 'eu-west-1',
      nodes: [`${name}-a`, `${name}-b`],
      ...spec,
    },
  };
}

/** A Runbook entity with the given steps. */
export function runbook(
  name: string,
  spec: Partial<RunbookEntityV1alpha1['spec']> = {},
): RunbookEntityV1alpha1 {
  return {
    apiVersion: 'fleetdeck.io/v1alpha1',
    kind: 'Runbook',
    metadata: { name, namespace: 'default', title: `Runbook ${name}` },
    spec: {
      owner: 'group:default/platform-kafka',
      targets: { kind: 'Cluster', 'spec.engine': 'kafka' },
      steps: [{ id: 'work', executor: 'test' }],
      concurrency: 5,
      ...spec,
    },
  };
}
