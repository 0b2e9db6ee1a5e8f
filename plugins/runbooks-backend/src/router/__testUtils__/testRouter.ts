import { PermissionsService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import express from 'express';
import { Server } from 'http';
import { AddressInfo } from 'net';
import { Knex } from 'knex';
import { DefaultRunBroker } from '../../broker/DefaultRunBroker';
import { RunStore } from '../../database/RunStore';
import { testTrustPolicy } from '../../engine/testUtils';
import { RunbooksService } from '../../service/RunbooksService';
import { RunNotifier } from '../../service/RunNotifier';
import { RunStreamTimings } from '../stream/types';
import { createRouter } from '../index';

/**
 * The runbooks API alone on a real database (no worker, no catalog
 * backend): what the router tests need to count queries and watch streams.
 * Requests without a token act as amelie; approvers are in group sre.
 */
export async function startTestRouter(options: {
  knex: Knex;
  entities: Entity[];
  stream?: Partial<RunStreamTimings>;
  /** Allows everything unless given. */
  permissions?: PermissionsService;
}) {
  const logger = mockServices.logger.mock();
  const store = await RunStore.fromKnex(options.knex);
  const broker = await DefaultRunBroker.create({ logger });
  const service = new RunbooksService({
    store,
    catalog: catalogServiceMock({ entities: options.entities }),
    permissions: options.permissions ?? mockServices.permissions(),
    userInfo: mockServices.userInfo({
      ownershipEntityRefs: ['group:default/sre'],
    }),
    auditor: mockServices.auditor.mock(),
    logger,
    notifier: new RunNotifier({ logger, store }),
    broker,
    trust: testTrustPolicy,
  });
  const app = express();
  app.use(
    await createRouter({
      service,
      broker,
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.user('user:default/amelie'),
      }),
      stream: options.stream,
    }),
  );
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger,
    }).error(),
  );
  const server: Server = await new Promise(resolve => {
    const s = app.listen(0, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    service,
    store,
    broker,
    async stop() {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
      await broker.close();
    },
  };
}
