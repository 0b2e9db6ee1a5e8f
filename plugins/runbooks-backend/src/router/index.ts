import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  FleetMaintenanceResponse,
  ListRunbooksResponse,
} from '@fleetdeck/plugin-runbooks-common';
import express from 'express';
import Router from 'express-promise-router';
import { RunBroker } from '../broker/RunBroker';
import { RunbooksService, toRunbookSummary } from '../service/RunbooksService';
import { callerOf } from './caller';
import { noRedaction, redactErrors, ResponseRedaction } from './redaction';
import { runRoutes } from './runRoutes';
import { parse, schemas } from './schemas';
import { RunStreamHub } from './stream/RunStreamHub';
import { streamRoute } from './stream/streamRoute';
import { RunStreamTimings } from './stream/types';

export type { ResponseRedaction } from './redaction';
export { RunStreamHub } from './stream/RunStreamHub';

/** The runbooks HTTP API (see `@fleetdeck/plugin-runbooks-common` for the types). */
export async function createRouter(options: {
  service: RunbooksService;
  httpAuth: HttpAuthService;
  /** Change events of runs, which the live streams follow. */
  broker: RunBroker;
  redaction?: ResponseRedaction;
  logger?: LoggerService;
  /** Timings of the live streams' shared reads (tests make them short). */
  stream?: Partial<RunStreamTimings>;
}): Promise<express.Router> {
  const { service, broker } = options;
  const redaction = options.redaction ?? noRedaction;
  const caller = callerOf(options.httpAuth);
  const hub = new RunStreamHub({
    feed: service,
    broker,
    logger: options.logger,
    timings: options.stream,
  });
  const router = Router();
  router.use(express.json({ limit: '2mb' }));

  router.get('/runbooks', async (req, res) => {
    const query = parse(schemas.listRunbooks, req.query);
    const who = await caller(req);
    const items = await service.listRunbooks(query, who);
    const response: ListRunbooksResponse = query.entityRef
      ? { items, target: await service.targetTrust(query.entityRef, who) }
      : { items };
    res.json(response);
  });

  router.get('/runbooks/:namespace/:name', async (req, res) => {
    const runbook = await service.getRunbook(
      `runbook:${req.params.namespace}/${req.params.name}`,
      await caller(req),
    );
    res.json(toRunbookSummary(runbook, service.runbookTrust(runbook)));
  });

  router.get('/fleet/maintenance', async (req, res) => {
    const query = parse(schemas.fleetMaintenance, req.query);
    const response: FleetMaintenanceResponse = await service.fleetMaintenance(
      query,
      await caller(req),
    );
    res.json(redaction.redactor.redactJson(response));
  });

  router.use(runRoutes({ service, redaction, caller }));
  router.get(
    '/runs/:runId/stream',
    streamRoute({ service, hub, redaction, caller }),
  );
  router.use(redactErrors(redaction));
  return router;
}
