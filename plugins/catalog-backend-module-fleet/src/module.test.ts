import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { manualScheduler } from './__testUtils__/manualScheduler';
import { catalogModuleFleet } from './module';

jest.setTimeout(120_000);

/** Every log line of the backend, to check what reaches logs (and what never does). */
const logLines: string[] = [];
function capturingLogger(meta: object = {}): LoggerService {
  const log = (level: string) => (message: string, extra?: object) => {
    logLines.push(
      `${level} ${message} ${JSON.stringify({ ...meta, ...extra })}`,
    );
  };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: m => capturingLogger({ ...meta, ...m }),
  };
}
const loggerFactory = createServiceFactory({
  service: coreServices.logger,
  deps: {},
  factory: () => capturingLogger(),
});

// The catalog schedules its own tasks after startup; only the providers' run here.
const { factory: schedulerFactory, tasks } = manualScheduler(id =>
  id.startsWith('fleet-'),
);
const trigger = (id: string) => tasks.get(`fleet-${id}:refresh`)!();

const org = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: platform-kafka }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: sre }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: data-platform }
spec: { owner: sre }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: payments-ledger }
spec:
  type: service
  lifecycle: production
  owner: sre
  dependsOn: [cluster:kafka-payments-prod]
`;

function inventory(clusters: number, extra = '') {
  const groups = Array.from(
    { length: clusters },
    (_, i) => `
    kafka_c${i}:
      hosts:
        kafka-c${i}-[1:3].example:
      vars: { fleetdeck_cluster: true, fleetdeck_version: "3.7.${i}" }`,
  ).join('');
  return `
kafka:
  vars:
    fleetdeck_engine: kafka
    fleetdeck_owner: platform-kafka
    fleetdeck_environment: staging
  children:
    kafka_payments_prod:
      hosts:
        kafka-pay-[01:03].prod.example:
      vars:
        fleetdeck_cluster: true
        fleetdeck_version: "3.5.1"
        fleetdeck_environment: production
        fleetdeck_system: data-platform
        fleetdeck_endpoints: { bootstrap: "kafka-pay.prod.example:9093" }
        fleetdeck_maintenance_window: { days: [sun], start: "02:00", duration_minutes: 120, timezone: Europe/Berlin }${groups}${extra}
`;
}

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'catalogModuleFleet on %s',
  databaseId => {
    let dir: string;
    let server: Parameters<typeof request>[0];
    let stop: () => Promise<void>;
    let cmdb: Server;
    let cmdbReply: (res: any) => void;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'fleet-module-'));
      writeFileSync(join(dir, 'org.yaml'), org);
      writeFileSync(join(dir, 'hosts.yml'), inventory(9));
      cmdbReply = res => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            data: {
              clusters: [
                {
                  id: 'pg-core-prod',
                  type: 'postgresql',
                  release: '16.2',
                  env: 'production',
                  team: 'sre',
                  hosts: [{ fqdn: 'pg-core-1.example' }],
                },
              ],
            },
          }),
        );
      };
      cmdb = createServer((req, res) => {
        if (req.headers.authorization !== 'Bearer s3cr3t-cmdb-token') {
          res.statusCode = 401;
          res.end('no');
          return;
        }
        cmdbReply(res);
      });
      await new Promise<void>(r => cmdb.listen(0, '127.0.0.1', r));
      const port = (cmdb.address() as AddressInfo).port;

      const knex = await databases.init(databaseId);
      const backend = await startTestBackend({
        features: [
          mockServices.database.factory({ knex }),
          catalogPlugin,
          catalogModuleFleet,
          loggerFactory,
          schedulerFactory,
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                rules: [
                  {
                    allow: [
                      'Component',
                      'System',
                      'Group',
                      'Location',
                      'Cluster',
                    ],
                  },
                ],
                locations: [{ type: 'file', target: join(dir, 'org.yaml') }],
                providers: {
                  fleet: {
                    ansible: {
                      demo: {
                        path: join(dir, 'hosts.yml'),
                        schedule: {
                          frequency: { seconds: 1 },
                          timeout: { seconds: 30 },
                        },
                      },
                    },
                    http: {
                      cmdb: {
                        url: `http://127.0.0.1:${port}/api/clusters?page=all`,
                        headers: { Authorization: 'Bearer s3cr3t-cmdb-token' },
                        timeoutSeconds: 1,
                        itemsPath: 'data.clusters',
                        fields: {
                          name: 'id',
                          engine: 'type',
                          version: 'release',
                          environment: 'env',
                          owner: 'team',
                          nodes: 'hosts',
                        },
                        nodeField: 'fqdn',
                        schedule: {
                          frequency: { seconds: 1 },
                          timeout: { seconds: 30 },
                        },
                      },
                    },
                  },
                },
              },
            },
          }),
        ],
      });
      server = backend.server;
      stop = () => backend.stop();
    });

    afterAll(async () => {
      await stop?.();
      cmdb?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const auth = mockCredentials.user.header();
    const get = (path: string) =>
      request(server).get(path).set('Authorization', auth);

    async function eventually<T>(
      what: string,
      probe: () => Promise<T | undefined>,
    ): Promise<T> {
      let last: unknown;
      for (let i = 0; i < 160; i++) {
        try {
          const value = await probe();
          if (value !== undefined) return value;
        } catch (e) {
          last = e;
        }
        await new Promise(r => setTimeout(r, 250));
      }
      throw new Error(
        `timed out waiting for ${what}${last ? `: ${last}` : ''}`,
      );
    }

    const entity = async (ref: string) => {
      const [kind, rest] = ref.split(':');
      const res = await get(
        `/api/catalog/entities/by-name/${kind}/default/${rest}`,
      );
      return res.status === 200 ? res.body : undefined;
    };
    const clusterNames = async () => {
      const res = await get(
        '/api/catalog/entities/by-query?filter=kind=cluster&fields=metadata.name&limit=500',
      );
      return (res.body.items as any[]).map(e => e.metadata.name).sort();
    };
    const statusErrors = async (name: string) => {
      const e = await entity(`location:${name}`);
      return ((e?.status?.items ?? []) as any[]).map(
        i => i.error.message as string,
      );
    };

    it('ingests clusters from the Ansible inventory with spec, owner, system and dependency relations', async () => {
      const cluster = await eventually(
        'the kafka-payments-prod cluster with its relations',
        async () => {
          const e = await entity('cluster:kafka-payments-prod');
          return e?.relations?.some((r: any) => r.type === 'dependencyOf')
            ? e
            : undefined;
        },
      );
      expect(cluster.spec).toEqual({
        engine: 'kafka',
        version: '3.5.1',
        environment: 'production',
        owner: 'platform-kafka',
        system: 'data-platform',
        nodes: [
          'kafka-pay-01.prod.example',
          'kafka-pay-02.prod.example',
          'kafka-pay-03.prod.example',
        ],
        endpoints: [{ name: 'bootstrap', url: 'kafka-pay.prod.example:9093' }],
        maintenanceWindow: {
          days: ['sun'],
          start: '02:00',
          durationMinutes: 120,
          timezone: 'Europe/Berlin',
        },
      });
      const relations = cluster.relations
        .map((r: any) => `${r.type} ${r.targetRef}`)
        .sort();
      expect(relations).toEqual([
        'dependencyOf component:default/payments-ledger',
        'ownedBy group:default/platform-kafka',
        'partOf system:default/data-platform',
      ]);
      const team = await eventually(
        'the ownerOf relation on the team',
        async () => {
          const g = await entity('group:platform-kafka');
          return g?.relations?.some(
            (r: any) => r.targetRef === 'cluster:default/kafka-payments-prod',
          )
            ? g
            : undefined;
        },
      );
      expect(team.relations).toContainEqual(
        expect.objectContaining({
          type: 'ownerOf',
          targetRef: 'cluster:default/kafka-payments-prod',
        }),
      );
      // the cluster's dependencyOf comes from the component's processing;
      // the component itself is stitched on its own schedule
      const component = await eventually(
        'the dependsOn relation on the component',
        async () => {
          const c = await entity('component:payments-ledger');
          return c?.relations?.length ? c : undefined;
        },
      );
      expect(component.relations).toContainEqual(
        expect.objectContaining({
          type: 'dependsOn',
          targetRef: 'cluster:default/kafka-payments-prod',
        }),
      );
      expect(await clusterNames()).toHaveLength(10 + 1);
    });

    it('ingests the HTTP inventory with its field mapping, and never logs the auth header', async () => {
      const pg = await eventually('pg-core-prod', () =>
        entity('cluster:pg-core-prod'),
      );
      expect(pg.spec).toMatchObject({
        engine: 'postgresql',
        version: '16.2',
        owner: 'sre',
        nodes: ['pg-core-1.example'],
      });
      expect(logLines.join('\n')).not.toContain('s3cr3t');
    });

    it('counts every engine version of clusters from both inventories in one facet request', async () => {
      const facet = 'metadata.annotations.fleetdeck.io/engine-version';
      const counts = await eventually(
        'the engine-version facet over all 11 clusters',
        async () => {
          const res = await get(
            `/api/catalog/entity-facets?facet=${encodeURIComponent(
              facet,
            )}&filter=kind=cluster`,
          );
          const values = res.body.facets[facet] as {
            value: string;
            count: number;
          }[];
          return values.reduce((n, v) => n + v.count, 0) === 11
            ? values
            : undefined;
        },
      );
      expect(counts).toContainEqual({ value: 'kafka/3.5.1', count: 1 });
      expect(counts).toContainEqual({ value: 'kafka/3.7.8', count: 1 });
      expect(counts).toContainEqual({ value: 'postgresql/16.2', count: 1 });
    });

    it('shows a cluster that loses its owner with the error naming the field, and keeps the last good version', async () => {
      await eventually('ingestion', async () =>
        (await clusterNames()).length === 11 ? true : undefined,
      );
      writeFileSync(
        join(dir, 'hosts.yml'),
        inventory(9).replace(
          'fleetdeck_system: data-platform',
          'fleetdeck_system: data-platform\n        fleetdeck_owner: ""',
        ),
      );
      await trigger('ansible-inventory:demo');
      const cluster = await eventually(
        'a processing error on kafka-payments-prod',
        async () => {
          const e = await entity('cluster:kafka-payments-prod');
          return e?.status?.items?.length ? e : undefined;
        },
      );
      expect(cluster.status.items[0].error.message).toMatch(
        /Invalid Cluster entity cluster:default\/kafka-payments-prod: spec\.owner/,
      );
      expect(cluster.spec.owner).toBe('platform-kafka');
    });

    it('refuses a refresh that removes more than 20 % of the clusters, keeps them, and surfaces why', async () => {
      writeFileSync(join(dir, 'hosts.yml'), inventory(4));
      await trigger('ansible-inventory:demo');
      const errors = await eventually(
        'the refusal on the inventory status entity',
        async () => {
          const messages = await statusErrors('fleet-inventory-ansible-demo');
          return messages.some(m => m.includes('refused'))
            ? messages
            : undefined;
        },
      );
      expect(errors.join('\n')).toMatch(
        /would remove 5 of 10 clusters \(50 %, limit 20 %\)/,
      );
      expect(await clusterNames()).toHaveLength(11);
      expect(
        logLines.some(
          l => l.startsWith('error') && l.includes('would remove 5 of 10'),
        ),
      ).toBe(true);
    });

    it('keeps every cluster through a malformed inventory and names the file and line', async () => {
      writeFileSync(
        join(dir, 'hosts.yml'),
        `${inventory(9)}\n  bad: [unclosed\n`,
      );
      await trigger('ansible-inventory:demo');
      const errors = await eventually(
        'the parse error on the status entity',
        async () => {
          const messages = await statusErrors('fleet-inventory-ansible-demo');
          return messages.some(m => m.includes('invalid YAML'))
            ? messages
            : undefined;
        },
      );
      expect(errors.join('\n')).toMatch(/hosts\.yml:\d+: invalid YAML/);
      expect(await clusterNames()).toHaveLength(11);
    });

    it.each([
      [
        'a 500',
        (res: any) => {
          res.statusCode = 500;
          res.statusMessage = 'Internal Server Error';
          res.end('boom');
        },
        /answered HTTP 500 Internal Server Error/,
      ],
      [
        'an HTML page',
        (res: any) => {
          res.setHeader('content-type', 'text/html');
          res.end('<html>login</html>');
        },
        /text\/html instead of JSON \(an HTML page/,
      ],
      [
        'no answer in time',
        (_res: any) => {},
        /did not answer within 1 s \(timeout\)/,
      ],
    ])(
      'keeps the HTTP clusters when the inventory API returns %s',
      async (_what, reply, expected) => {
        cmdbReply = reply;
        await trigger('http-inventory:cmdb');
        const errors = await eventually(
          'the outage on the status entity',
          async () => {
            const messages = await statusErrors('fleet-inventory-http-cmdb');
            return messages.some(m => expected.test(m)) ? messages : undefined;
          },
        );
        expect(errors.join('\n')).not.toContain('s3cr3t');
        expect(await entity('cluster:pg-core-prod')).toBeDefined();
      },
    );
  },
);
