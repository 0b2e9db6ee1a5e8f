import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogLocationsExtensionPoint } from '@backstage/plugin-catalog-node';
import {
  httpAuthWithActors,
  userInfoFromMemberships,
} from '@fleetdeck/backend-test-utils';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { permissionModuleFleetdeckPolicy } from './module';

jest.setTimeout(120_000);

const userInfo = userInfoFromMemberships({
  'user:default/emma': ['group:default/payments'],
  'user:default/liam': ['group:default/cards'],
  'user:default/olivia': ['group:default/fleetdeck-admins'],
});

/** Lets the test register `file` locations through the API. */
const catalogModuleFileLocations = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-file-locations',
  register(reg) {
    reg.registerInit({
      deps: { locations: catalogLocationsExtensionPoint },
      async init({ locations }) {
        locations.setAllowedLocationTypes(['file', 'url']);
      },
    });
  },
});

const entities = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: card-tokenizer
spec:
  type: service
  lifecycle: production
  owner: group:default/cards
`;

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'Fleetdeck permission policy in the catalog, on %s',
  databaseId => {
    let dir: string;
    let server: Parameters<typeof request>[0];
    let stop: () => Promise<void>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'fleetdeck-policy-'));
      writeFileSync(join(dir, 'entities.yaml'), entities);
      const knex = await databases.init(databaseId);
      const backend = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleFileLocations,
          permissionPlugin,
          permissionModuleFleetdeckPolicy,
          userInfo,
          httpAuthWithActors,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              permission: { enabled: true },
              fleetdeck: {
                permissions: {
                  adminGroups: ['group:default/fleetdeck-admins'],
                },
              },
              catalog: {
                locations: [
                  { type: 'file', target: join(dir, 'entities.yaml') },
                ],
              },
            },
          }),
        ],
      });
      server = backend.server;
      stop = () => backend.stop();
      await waitForEntity('payments-api');
      await waitForEntity('card-tokenizer');
    });

    afterAll(async () => {
      await stop?.();
      rmSync(dir, { recursive: true, force: true });
    });

    const as = (user: string) => mockCredentials.user.header(user);

    async function waitForEntity(name: string) {
      for (let i = 0; i < 120; i++) {
        const res = await request(server)
          .get(`/api/catalog/entities/by-name/component/default/${name}`)
          .set('Authorization', as('user:default/olivia'));
        if (res.status === 200) return res.body;
        await new Promise(r => setTimeout(r, 250));
      }
      throw new Error(`component ${name} never appeared in the catalog`);
    }

    const refresh = (user: string, name: string) =>
      request(server)
        .post('/api/catalog/refresh')
        .set('Authorization', as(user))
        .send({ entityRef: `component:default/${name}` });

    it('lets every signed-in user read entities they do not own', async () => {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/component/default/payments-api')
        .set('Authorization', as('user:default/liam'));
      expect(res.status).toBe(200);
      expect(res.body.spec.owner).toBe('group:default/payments');
    });

    it('denies a refresh to a non-owner and allows it to an owner', async () => {
      expect((await refresh('user:default/liam', 'payments-api')).status).toBe(
        403,
      );
      expect((await refresh('user:default/emma', 'payments-api')).status).toBe(
        200,
      );
    });

    it('lets only owners and admins unregister an entity', async () => {
      const payments = await waitForEntity('payments-api');
      const denied = await request(server)
        .delete(`/api/catalog/entities/by-uid/${payments.metadata.uid}`)
        .set('Authorization', as('user:default/liam'));
      expect(denied.status).toBe(403);

      const allowed = await request(server)
        .delete(`/api/catalog/entities/by-uid/${payments.metadata.uid}`)
        .set('Authorization', as('user:default/emma'));
      expect(allowed.status).toBe(204);

      const cards = await waitForEntity('card-tokenizer');
      const byAdmin = await request(server)
        .delete(`/api/catalog/entities/by-uid/${cards.metadata.uid}`)
        .set('Authorization', as('user:default/olivia'));
      expect(byAdmin.status).toBe(204);
    });

    it('lets anyone register a location but only admins delete one', async () => {
      writeFileSync(
        join(dir, 'more.yaml'),
        entities.replace(/payments-api|card-tokenizer/g, m => `${m}-copy`),
      );
      const created = await request(server)
        .post('/api/catalog/locations')
        .set('Authorization', as('user:default/emma'))
        .send({ type: 'file', target: join(dir, 'more.yaml') });
      expect(created.status).toBe(201);
      const id = created.body.location.id;

      const denied = await request(server)
        .delete(`/api/catalog/locations/${id}`)
        .set('Authorization', as('user:default/emma'));
      expect(denied.status).toBe(403);
      const allowed = await request(server)
        .delete(`/api/catalog/locations/${id}`)
        .set('Authorization', as('user:default/olivia'));
      expect(allowed.status).toBe(204);
    });
  },
);
