import { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  changeInputSchema,
  searchQuerySchema,
} from '@fleetdeck/plugin-changes-common';
import {
  decodeCursor,
  encodeCursor,
  parseInput,
} from '@fleetdeck/fleetdeck-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { Caller, ChangesService } from '../service/ChangesService';

const listQuery = z.object({
  entityRef: z.string().min(1).max(255).optional(),
  state: z
    .enum(['previewing', 'ready', 'applying', 'applied', 'closed'])
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
const cursorSchema = z.tuple([
  z.number().int().nonnegative(),
  z.string().uuid(),
]);
const idParams = z.object({ id: z.string().uuid() });
const diffQuery = z.object({ entityRef: z.string().min(1).max(255) });
const refsBody = z.object({
  entityRefs: z.array(z.string().min(1).max(255)).min(1).max(5000),
});
const optionalRefsBody = z.object({
  entityRefs: z.array(z.string().min(1).max(255)).min(1).max(5000).optional(),
});

/** The changes API, mounted at /api/changes. Every route checks its permission in the service. */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  service: ChangesService;
}): Promise<express.Router> {
  const { httpAuth, service } = options;
  const router = Router();
  // a change targets at most 5,000 explicit refs: ~1.3 MB of JSON
  router.use(express.json({ limit: '2mb' }));

  const caller = async (req: Request): Promise<Caller> => ({
    credentials: await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    }),
    request: req,
  });

  router.post('/search', async (req, res) => {
    const query = parseInput(searchQuerySchema, req.body);
    res.json(await service.search(query, await caller(req)));
  });

  router.get('/changes', async (req, res) => {
    const query = parseInput(listQuery, req.query);
    const before = query.cursor
      ? decodeCursor(cursorSchema, query.cursor)
      : undefined;
    const page = await service.list(
      {
        entityRef: query.entityRef,
        state: query.state,
        limit: query.limit,
        before: before && { createdAt: before[0], id: before[1] },
      },
      await caller(req),
    );
    res.json({
      items: page.items,
      ...(page.next
        ? { nextCursor: encodeCursor([page.next.createdAt, page.next.id]) }
        : {}),
    });
  });

  router.get('/recipes', async (req, res) => {
    res.json({ items: await service.listRecipes(await caller(req)) });
  });

  router.post('/changes', async (req, res) => {
    const input = parseInput(changeInputSchema, req.body);
    res.status(201).json(await service.create(input, await caller(req)));
  });

  router.get('/changes/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params);
    res.json(await service.get(id, await caller(req)));
  });

  router.get('/changes/:id/diff', async (req, res) => {
    const { id } = parseInput(idParams, req.params);
    const { entityRef } = parseInput(diffQuery, req.query);
    res.json(await service.diff(id, entityRef, await caller(req)));
  });

  router.post('/changes/:id/apply', async (req, res) => {
    const { id } = parseInput(idParams, req.params);
    const { entityRefs } = parseInput(optionalRefsBody, req.body ?? {});
    res.json(await service.apply(id, entityRefs, await caller(req)));
  });

  router.post('/changes/:id/approve', async (req, res) => {
    const { id } = parseInput(idParams, req.params);
    const { entityRefs } = parseInput(refsBody, req.body);
    res.json(await service.approve(id, entityRefs, await caller(req)));
  });

  const actions = {
    cancel: service.cancel,
    close: service.close,
    refresh: service.refresh,
    'update-branches': service.updateBranches,
  };
  for (const [path, action] of Object.entries(actions)) {
    router.post(`/changes/:id/${path}`, async (req, res) => {
      const { id } = parseInput(idParams, req.params);
      res.json(await action.call(service, id, await caller(req)));
    });
  }

  return router;
}
