import {
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
} from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  CatalogProcessorEmit,
  catalogLocationsExtensionPoint,
  catalogProcessingExtensionPoint,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import permissionModuleFleetdeckPolicy from '@fleetdeck/plugin-permission-backend-module-fleetdeck';
import {
  httpAuthWithActors,
  userInfoFromMemberships,
} from '@fleetdeck/backend-test-utils';
import {
  RunbookExecutor,
  runbooksExecutorsExtensionPoint,
} from '@fleetdeck/plugin-runbooks-node';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { runbooksPlugin } from '../plugin';
import { catalogModuleRunbookKind } from '../catalog/module';

/** An audit event as a test sees it. */
export interface RecordedAuditEvent {
  eventId: string;
  meta: Record<string, unknown>;
  status: 'initiated' | 'succeeded' | 'failed';
  error?: string;
}

/** Records audit events of every plugin. */
export function recordingAuditor(events: RecordedAuditEvent[]) {
  return createServiceFactory({
    service: coreServices.auditor,
    deps: {},
    factory: () => ({
      async createEvent(options) {
        const event: RecordedAuditEvent = {
          eventId: options.eventId,
          meta: { ...(options.meta ?? {}) },
          status: 'initiated',
        };
        events.push(event);
        return {
          async success(o) {
            events.push({
              ...event,
              meta: { ...event.meta, ...(o?.meta ?? {}) },
              status: 'succeeded',
            });
          },
          async fail(o) {
            events.push({ ...event, status: 'failed', error: o.error.message });
          },
        };
      },
    }),
  });
}

/**
 * A stand-in for the fleet module in these tests: accepts Cluster entities and
 * emits their ownership relations from spec.owner, as the real one does.
 */
export const catalogModuleTestClusters = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-clusters',
  register(reg) {
    reg.registerInit({
      deps: {
        processing: catalogProcessingExtensionPoint,
        locations: catalogLocationsExtensionPoint,
      },
      async init({ processing, locations }) {
        locations.setAllowedLocationTypes(['file', 'url']);
        processing.addProcessor({
          getProcessorName: () => 'TestClusterProcessor',
          async validateEntityKind(entity: Entity) {
            return entity.kind === 'Cluster';
          },
          async postProcessEntity(
            entity: Entity,
            _location: LocationSpec,
            emit: CatalogProcessorEmit,
          ) {
            const owner = entity.spec?.owner;
            if (entity.kind === 'Cluster' && typeof owner === 'string') {
              const self = getCompoundEntityRef(entity);
              const other = parseEntityRef(owner, {
                defaultKind: 'Group',
                defaultNamespace: 'default',
              });
              emit(
                processingResult.relation({
                  source: self,
                  type: RELATION_OWNED_BY,
                  target: other,
                }),
              );
              emit(
                processingResult.relation({
                  source: other,
                  type: RELATION_OWNER_OF,
                  target: self,
                }),
              );
            }
            return entity;
          },
        });
      },
    });
  },
});

/** A module adding executors to the runbooks plugin. */
export function executorsModule(...executors: RunbookExecutor[]) {
  return createBackendModule({
    pluginId: 'runbooks',
    moduleId: `test-executors-${executors.map(e => e.id).join('-')}`,
    register(reg) {
      reg.registerInit({
        deps: { runbooks: runbooksExecutorsExtensionPoint },
        async init({ runbooks }) {
          runbooks.addExecutor(...executors);
        },
      });
    },
  });
}

/** Demo-like memberships: Kafka team, MongoDB team, SRE approvers, an admin. */
export const memberships = {
  'user:default/amelie': ['group:default/platform-kafka'],
  'user:default/jonas': ['group:default/platform-kafka'],
  'user:default/lucas': ['group:default/platform-mongodb'],
  'user:default/hannah': ['group:default/sre'],
  'user:default/olivia': ['group:default/fleetdeck-admins'],
};

/** Starts catalog + permission backend + Fleetdeck policy + runbooks on a database. */
export async function startRunbooksTestBackend(options: {
  databases: TestDatabases;
  databaseId: TestDatabaseId;
  entitiesYaml: string;
  executors: RunbookExecutor[];
  features?: Parameters<typeof startTestBackend>[0]['features'];
  config?: Record<string, unknown>;
  /** Top-level config next to the defaults (e.g. `backend`). */
  extraConfig?: Record<string, unknown>;
  waitFor: string[];
}) {
  const dir = mkdtempSync(join(tmpdir(), 'runbooks-test-'));
  writeFileSync(join(dir, 'entities.yaml'), options.entitiesYaml);
  const knex = await options.databases.init(options.databaseId);
  const auditEvents: RecordedAuditEvent[] = [];
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleTestClusters,
      catalogModuleRunbookKind,
      permissionPlugin,
      permissionModuleFleetdeckPolicy,
      runbooksPlugin,
      ...(options.executors.length
        ? [executorsModule(...options.executors)]
        : []),
      userInfoFromMemberships(memberships),
      httpAuthWithActors,
      recordingAuditor(auditEvents),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          fleetdeck: {
            permissions: { adminGroups: ['group:default/fleetdeck-admins'] },
          },
          catalog: {
            rules: [
              {
                allow: [
                  'Component',
                  'Group',
                  'User',
                  'Cluster',
                  'Runbook',
                  'Location',
                ],
              },
            ],
            locations: [{ type: 'file', target: join(dir, 'entities.yaml') }],
          },
          runbooks: {
            encryptionKey: 'test-key-of-at-least-24-characters',
            worker: {
              pollInterval: '50ms',
              heartbeatInterval: '200ms',
              staleAfter: '5s',
            },
            ...options.config,
          },
          ...options.extraConfig,
        },
      }),
      ...(options.features ?? []),
    ],
  });
  const server = backend.server;
  const as = (user: string) => mockCredentials.user.header(user);
  for (const ref of options.waitFor) {
    const { kind, namespace, name } = parseEntityRef(ref);
    let found = false;
    for (let i = 0; i < 240 && !found; i++) {
      const res = await request(server)
        .get(`/api/catalog/entities/by-name/${kind}/${namespace}/${name}`)
        .set('Authorization', as('user:default/olivia'));
      found = res.status === 200;
      if (!found) await new Promise(r => setTimeout(r, 250));
    }
    if (!found) throw new Error(`${ref} never appeared in the catalog`);
  }
  return {
    server,
    auditEvents,
    /** The runbooks plugin's database. */
    knex,
    dir,
    as,
    async stop() {
      await backend.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
