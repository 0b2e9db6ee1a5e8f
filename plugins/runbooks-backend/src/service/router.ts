import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ListRunbooksResponse,
  RunStreamEvent,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import { Redactor } from '@fleetdeck/plugin-runbooks-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { RunStore } from '../database/RunStore';
import { RunbooksService, toRunbookSummary } from './RunbooksService';

const targetStatus = z.enum([
  'awaiting_approval',
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
]);

const logQuery = z.object({
  targetId: z.string().optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

const schemas = {
  listRunbooks: z.object({ entityRef: z.string().min(1).optional() }),
  startRun: z.object({
    runbookRef: z.string().min(1),
    targets: z.array(z.string().min(1)).min(1).max(10_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    dryRun: z.boolean().optional(),
  }),
  listRuns: z.object({
    runbookRef: z.string().optional(),
    entityRef: z.string().optional(),
    requestedBy: z.string().optional(),
    status: z.enum(['running', 'succeeded', 'failed', 'cancelled']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(20),
    cursor: z.string().optional(),
  }),
  listTargets: z.object({
    status: z
      .union([targetStatus, z.array(targetStatus)])
      .transform(v => (Array.isArray(v) ? v : [v]))
      .optional(),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  listLogs: logQuery
    .extend({
      /** `run`: only the run's own lines, those of no target. */
      scope: z.enum(['run']).optional(),
    })
    .refine(q => !(q.scope === 'run' && q.targetId), {
      message: 'scope=run lists the lines of no target; drop targetId',
      path: ['scope'],
    }),
  streamRun: logQuery,
  decide: z.object({
    targetIds: z.array(z.string()).min(1).optional(),
    comment: z.string().max(2000).optional(),
  }),
};

function parse<T extends z.ZodTypeAny>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new InputError(z.prettifyError(result.error));
  }
  return result.data;
}

/**
 * What responses pass before they leave: the worker redacted run output
 * when it stored it; this catches what was stored otherwise (older runs,
 * notes, comments) and errors quoting input.
 */
export interface ResponseRedaction {
  /** Redacts every configured secret. */
  redactor: Redactor;
  /** Redacts every configured secret and the run's secret parameters. */
  redactorFor(runId: string): Promise<Redactor>;
}

const noRedaction: ResponseRedaction = {
  redactor: new Redactor(),
  redactorFor: async () => new Redactor(),
};

/** The runbooks HTTP API (see `@fleetdeck/plugin-runbooks-common` for the types). */
export async function createRouter(options: {
  service: RunbooksService;
  store: RunStore;
  httpAuth: HttpAuthService;
  streamPollIntervalMs?: number;
  redaction?: ResponseRedaction;
}): Promise<express.Router> {
  const { service, store, httpAuth } = options;
  const redaction = options.redaction ?? noRedaction;
  const router = Router();
  router.use(express.json({ limit: '2mb' }));
  /** Sends a run's data, redacted with the run's secrets. */
  const sendRun = async (res: express.Response, runId: string, body: any) =>
    res.json((await redaction.redactorFor(runId)).redactJson(body));

  const caller = async (req: express.Request) => ({
    credentials: await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    }),
    request: req,
  });

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

  router.post('/runs', async (req, res) => {
    const body = parse(schemas.startRun, req.body);
    res
      .status(201)
      .json(
        redaction.redactor.redactJson(
          await service.startRun(body, await caller(req)),
        ),
      );
  });

  router.get('/runs', async (req, res) => {
    const query = parse(schemas.listRuns, req.query);
    res.json(
      redaction.redactor.redactJson(
        await service.listRuns(
          {
            ...query,
            runbookRefs: query.runbookRef ? [query.runbookRef] : undefined,
          },
          await caller(req),
        ),
      ),
    );
  });

  router.get('/runs/:runId', async (req, res) => {
    const run = await service.getRun(req.params.runId, await caller(req));
    await sendRun(res, req.params.runId, run);
  });

  router.get('/runs/:runId/targets', async (req, res) => {
    const query = parse(schemas.listTargets, req.query);
    await service.getRun(req.params.runId, await caller(req));
    await sendRun(
      res,
      req.params.runId,
      await store.listTargets({
        runId: req.params.runId,
        status: query.status as TargetStatus[] | undefined,
        offset: query.offset,
        limit: query.limit,
      }),
    );
  });

  router.get('/runs/:runId/targets/:targetId', async (req, res) => {
    await service.getRun(req.params.runId, await caller(req));
    const { items } = await store.listTargets({
      runId: req.params.runId,
      targetIds: [req.params.targetId],
      offset: 0,
      limit: 1,
    });
    if (!items.length) {
      throw new NotFoundError(`No target ${req.params.targetId} in this run`);
    }
    await sendRun(res, req.params.runId, items[0]);
  });

  router.get('/runs/:runId/logs', async (req, res) => {
    const { scope, ...query } = parse(schemas.listLogs, req.query);
    await service.getRun(req.params.runId, await caller(req));
    await sendRun(
      res,
      req.params.runId,
      await store.listLogs({
        runId: req.params.runId,
        ...query,
        // the run's own lines (no target): schedule notes, requeued claims
        ...(scope === 'run' ? { targetId: null } : {}),
      }),
    );
  });

  // Server-sent events: log lines, target and run state changes, until the run ends.
  router.get('/runs/:runId/stream', async (req, res) => {
    const query = parse(schemas.streamRun, req.query);
    const { runId } = req.params;
    let run = await service.getRun(runId, await caller(req));
    const redactor = await redaction.redactorFor(runId);
    let after = Number(req.header('last-event-id')) || query.after;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const send = (event: RunStreamEvent, id?: number) => {
      res.write(
        `event: ${event.type}\n${
          id !== undefined ? `id: ${id}\n` : ''
        }data: ${JSON.stringify(redactor.redactJson(event))}\n\n`,
      );
      (res as any).flush?.();
    };
    let closed = false;
    req.on('close', () => {
      closed = true;
    });
    const statuses = new Map<string, string>();
    let sawEnd = false;
    send({ type: 'run', run });
    while (!closed) {
      const logs = await store.listLogs({
        runId,
        targetId: query.targetId,
        after,
        limit: 1000,
      });
      for (const line of logs.items) send({ type: 'log', line }, line.id);
      after = logs.nextCursor;
      const targets = await store.listTargets({ runId, offset: 0, limit: 500 });
      for (const { steps, ...target } of targets.items) {
        if (statuses.get(target.id) !== target.status) {
          statuses.set(target.id, target.status);
          send({ type: 'target', target });
        }
      }
      const next = await service.getRunSummary(runId);
      if (
        JSON.stringify(next.counts) !== JSON.stringify(run.counts) ||
        next.status !== run.status
      ) {
        run = next;
        send({ type: 'run', run });
      }
      const ended = !['running', 'awaiting_approval'].includes(run.status);
      if (ended) {
        // Lines stored between the log read above and the status read are
        // still unsent: read once more after seeing the end, then stop.
        if (sawEnd && logs.items.length === 0) break;
        sawEnd = true;
        continue;
      }
      await new Promise(r =>
        setTimeout(r, options.streamPollIntervalMs ?? 500),
      );
    }
    res.end();
  });

  router.post('/runs/:runId/approve', async (req, res) => {
    const body = parse(schemas.decide, req.body);
    await sendRun(
      res,
      req.params.runId,
      await service.decide(
        req.params.runId,
        { ...body, approve: true },
        await caller(req),
      ),
    );
  });

  router.post('/runs/:runId/reject', async (req, res) => {
    const body = parse(schemas.decide, req.body);
    await sendRun(
      res,
      req.params.runId,
      await service.decide(
        req.params.runId,
        { ...body, approve: false },
        await caller(req),
      ),
    );
  });

  router.post('/runs/:runId/cancel', async (req, res) => {
    await sendRun(
      res,
      req.params.runId,
      await service.cancel(req.params.runId, await caller(req)),
    );
  });

  router.post('/runs/:runId/retry', async (req, res) => {
    const retry = await service.retryFailed(
      req.params.runId,
      await caller(req),
    );
    res.status(201).json(redaction.redactor.redactJson(retry));
  });

  // an error may quote input or stored text: its message is redacted too
  router.use(
    (
      error: unknown,
      _req: express.Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      if (error instanceof Error && redaction.redactor.active) {
        try {
          error.message = redaction.redactor.redact(error.message);
          if (error.stack) error.stack = redaction.redactor.redact(error.stack);
        } catch {
          // a read-only message: the error goes on as it is
        }
      }
      next(error);
    },
  );

  return router;
}
