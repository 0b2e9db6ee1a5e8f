import express from 'express';
import { RunbooksService } from '../../service/RunbooksService';
import { Caller } from '../../service/types';
import { ResponseRedaction } from '../redaction';
import { parse, schemas } from '../schemas';
import { RunStreamHub } from './RunStreamHub';
import { openEventStream, sseListener } from './sseClient';

/**
 * GET /runs/:runId/stream: server-sent events (log lines, target and run
 * state changes) until the run ends. `targetId` keeps the log to one
 * target; `after` (or `Last-Event-ID`) continues it after a line.
 */
export function streamRoute(options: {
  service: RunbooksService;
  hub: RunStreamHub;
  redaction: ResponseRedaction;
  caller: (req: express.Request) => Promise<Caller>;
}): express.RequestHandler {
  const { service, hub, redaction, caller } = options;
  return async (req, res) => {
    const query = parse(schemas.streamRun, req.query);
    const { runId } = req.params;
    const run = await service.getRun(runId, await caller(req));
    const redactor = await redaction.redactorFor(runId);
    const lastEventId = Number(req.header('last-event-id'));
    const after =
      Number.isSafeInteger(lastEventId) && lastEventId > 0
        ? lastEventId
        : query.after;
    openEventStream(res);
    const client = sseListener(res, redactor, query.targetId);
    client.send({ type: 'run', run });
    const leave = hub.join(runId, client, after ?? 0);
    req.on('close', leave);
  };
}
