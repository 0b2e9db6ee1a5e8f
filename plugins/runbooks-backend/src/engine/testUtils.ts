import { Entity } from '@backstage/catalog-model';
import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';
import { TrustPolicy } from '../trust/TrustPolicy';

/** The catalog location in app-config the test runbooks come from. */
const RUNBOOKS_LOCATION = 'file:/srv/fleetdeck/runbooks/locations.yaml';

/** Trusts what the test fixtures come from, as the plugin's default policy would. */
export const testTrustPolicy = new TrustPolicy({
  configLocations: [RUNBOOKS_LOCATION],
});

/** A Cluster entity as the fleet catalog has them. */
export function cluster(
  name: string,
  spec: Record<string, unknown> = {},
): Entity {
  return {
    apiVersion: 'fleetdeck.io/v1alpha1',
    kind: 'Cluster',
    metadata: {
      name,
      namespace: 'default',
      // as the inventory provider emits them
      annotations: {
        'backstage.io/managed-by-location': 'fleet-inventory:ansible/test',
        'backstage.io/managed-by-origin-location':
          'fleet-inventory:ansible/test',
      },
    },
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
    metadata: {
      name,
      namespace: 'default',
      title: `Runbook ${name}`,
      annotations: {
        'backstage.io/managed-by-location': `file:/srv/fleetdeck/runbooks/${name}/catalog-info.yaml`,
        'backstage.io/managed-by-origin-location': RUNBOOKS_LOCATION,
      },
    },
    spec: {
      owner: 'group:default/platform-kafka',
      targets: { kind: 'Cluster', 'spec.engine': 'kafka' },
      steps: [{ id: 'work', executor: 'test' }],
      concurrency: 5,
      ...spec,
    },
  };
}
