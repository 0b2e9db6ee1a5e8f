/** Clusters and a runbook for the API tests: two Kafka (staging, production), one MongoDB. */
export const entitiesYaml = `
apiVersion: fleetdeck.io/v1alpha1
kind: Cluster
metadata: { name: kafka-staging-01 }
spec: { engine: kafka, version: 3.6.0, environment: staging, owner: group:default/platform-kafka, nodes: [k1, k2] }
---
apiVersion: fleetdeck.io/v1alpha1
kind: Cluster
metadata: { name: kafka-prod-01 }
spec: { engine: kafka, version: 3.6.0, environment: production, owner: group:default/platform-kafka, nodes: [k3] }
---
apiVersion: fleetdeck.io/v1alpha1
kind: Cluster
metadata: { name: mongo-staging-01 }
spec: { engine: mongodb, version: '7.0', environment: staging, owner: group:default/platform-mongodb, nodes: [m1] }
---
apiVersion: fleetdeck.io/v1alpha1
kind: Runbook
metadata:
  name: kafka-patch
  title: Kafka rolling patch
spec:
  owner: group:default/platform-kafka
  targets: { kind: Cluster, spec.engine: kafka }
  concurrency: 2
  parameters:
    type: object
    required: [version]
    properties:
      version: { type: string, pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' }
      token: { type: string, format: password }
  approval:
    when: { spec.environment: production }
    # a short ref names a group in the runbook's namespace, as owner does
    approvers: [sre]
  steps:
    - id: patch
      executor: test
      input:
        message: 'patching \${{ target.metadata.name }} to \${{ parameters.version }}'
`;
