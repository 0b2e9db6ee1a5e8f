import { TargetStatus } from '@fleetdeck/plugin-runbooks-common';
import express from 'express';
import Router from 'express-promise-router';
import { RunbooksService } from '../service/RunbooksService';
import { Caller } from '../service/types';
import { ResponseRedaction } from './redaction';
import { parse, schemas } from './schemas';

interface RouteOptions {
  service: RunbooksService;
  redaction: ResponseRedaction;
  caller: (req: express.Request) => Promise<Caller>;
}

/** Sends a run's data, redacted with the run's secrets. */
const runSender =
  (redaction: ResponseRedaction) =>
  async (res: express.Response, runId: string, body: object) =>
    res.json((await redaction.redactorFor(runId)).redactJson(body));

/** Starting, reading and deciding runs: /runs and below (the stream apart). */
export function runRoutes(options: RouteOptions): express.Router {
  const router = Router();
  addReads(router, options);
  addChanges(router, options);
  return router;
}

/** GET /runs, a run, its targets and its log. */
function addReads(router: express.Router, options: RouteOptions) {
  const { service, redaction, caller } = options;
  const sendRun = runSender(redaction);

  router.get('/runs', async (req, res) => {
    const { runbookRef, ...query } = parse(schemas.listRuns, req.query);
    const runs = await service.listRuns(
      { ...query, runbookRefs: runbookRef ? [runbookRef] : undefined },
      await caller(req),
    );
    res.json(redaction.redactor.redactJson(runs));
  });

  router.get('/runs/:runId', async (req, res) => {
    const run = await service.getRun(req.params.runId, await caller(req));
    await sendRun(res, req.params.runId, run);
  });

  router.get('/runs/:runId/targets', async (req, res) => {
    const query = parse(schemas.listTargets, req.query);
    const targets = await service.listTargets(
      {
        runId: req.params.runId,
        status: query.status as TargetStatus[] | undefined,
        offset: query.offset,
        limit: query.limit,
      },
      await caller(req),
    );
    await sendRun(res, req.params.runId, targets);
  });

  router.get('/runs/:runId/targets/:targetId', async (req, res) => {
    const { runId, targetId } = req.params;
    const target = await service.getTarget(runId, targetId, await caller(req));
    await sendRun(res, runId, target);
  });

  router.get('/runs/:runId/logs', async (req, res) => {
    const { scope, ...query } = parse(schemas.listLogs, req.query);
    const logs = await service.listLogs(
      {
        runId: req.params.runId,
        ...query,
        // the run's own lines (no target): schedule notes, requeued claims
        ...(scope === 'run' ? { targetId: null } : {}),
      },
      await caller(req),
    );
    await sendRun(res, req.params.runId, logs);
  });
}

/** Starting a run, deciding, cancelling and retrying one. */
function addChanges(router: express.Router, options: RouteOptions) {
  const { service, redaction, caller } = options;
  const sendRun = runSender(redaction);

  router.post('/runs', async (req, res) => {
    const body = parse(schemas.startRun, req.body);
    const run = await service.startRun(body, await caller(req));
    res.status(201).json(redaction.redactor.redactJson(run));
  });

  const decide =
    (approve: boolean) =>
    async (req: express.Request, res: express.Response) => {
      const body = parse(schemas.decide, req.body);
      const run = await service.decide(
        req.params.runId,
        { ...body, approve },
        await caller(req),
      );
      await sendRun(res, req.params.runId, run);
    };
  router.post('/runs/:runId/approve', decide(true));
  router.post('/runs/:runId/reject', decide(false));

  router.post('/runs/:runId/cancel', async (req, res) => {
    const run = await service.cancel(req.params.runId, await caller(req));
    await sendRun(res, req.params.runId, run);
  });

  router.post('/runs/:runId/retry', async (req, res) => {
    const retry = await service.retryFailed(
      req.params.runId,
      await caller(req),
    );
    res.status(201).json(redaction.redactor.redactJson(retry));
  });
}
