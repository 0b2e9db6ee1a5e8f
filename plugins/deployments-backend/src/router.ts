import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  deploymentInputSchema,
  deploymentsCreatePermission,
  deploymentsReadPermission,
} from '@fleetdeck/plugin-deployments-common';
import { audited, auditFailure, parseInput } from '@fleetdeck/fleetdeck-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { DeploymentStore } from './database/DeploymentStore';
import { DeploymentsService } from './service/DeploymentsService';
import { DiffService } from './service/DiffService';
import { DriftService } from './service/DriftService';

const sha = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const entityQuery = z.object({ entityRef: z.string().min(1) });
const historyQuery = entityQuery.extend({
  environment: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const diffQuery = entityQuery.extend({
  base: z.string().min(1),
  head: z.string().min(1),
  side: z.enum(['ahead', 'behind']).default('ahead'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  files: z.enum(['true', 'false']).default('true'),
});
const driftQuery = z.object({
  owner: z.string().optional(),
  system: z.string().optional(),
});

/** The deployments API, mounted at /api/deployments. */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  service: DeploymentsService;
  store: DeploymentStore;
  diff: DiffService;
  drift: DriftService;
}): Promise<express.Router> {
  const { httpAuth, permissions, auditor, service, store, diff, drift } =
    options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  async function authorize(req: Request, permission: BasicPermission) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) throw new NotAllowedError();
    return credentials;
  }

  // Pipelines call this with an external access token (static or JWKS). The
  // route is exempt from the default auth barrier so that a rejected token is
  // audited here before the 401 goes out.
  router.post('/v1/deployments', async (req, res) => {
    let credentials: BackstageCredentials;
    try {
      credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
    } catch (error) {
      // without the request: the auditor could not read an actor from it
      await auditFailure(
        auditor,
        {
          eventId: 'deployment-record',
          severityLevel: 'high',
          meta: {
            reason: 'authentication failed',
            ip: req.ip,
            userAgent: req.get('user-agent'),
          },
        },
        error,
      );
      throw error;
    }
    const operation = {
      eventId: 'deployment-record',
      request: req,
      meta: {
        entityRef: req.body?.entityRef,
        environment: req.body?.environment,
        commitSha: req.body?.commitSha,
      },
    };
    const result = await audited(auditor, operation, async outcome => {
      const input = parseInput(deploymentInputSchema, req.body);
      const [decision] = await permissions.authorize(
        [
          {
            permission: deploymentsCreatePermission,
            resourceRef: stringifyEntityRef(parseEntityRef(input.entityRef)),
          },
        ],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW)
        throw new NotAllowedError();
      const recorded = await service.record(input, 'api');
      outcome.id = recorded.deployment.id;
      outcome.created = recorded.created;
      outcome.warnings = recorded.warnings;
      return recorded;
    });
    res.status(result.created ? 201 : 200).json(result);
  });

  router.get('/v1/environments', async (req, res) => {
    await authorize(req, deploymentsReadPermission);
    res.json({ environments: service.environments });
  });

  router.get('/v1/entity/deployments', async (req, res) => {
    const credentials = await authorize(req, deploymentsReadPermission);
    const { entityRef } = parseInput(entityQuery, req.query);
    res.json(await service.overview(entityRef, credentials));
  });

  router.get('/v1/entity/history', async (req, res) => {
    const credentials = await authorize(req, deploymentsReadPermission);
    const q = parseInput(historyQuery, req.query);
    const entity = await service.visibleEntity(q.entityRef, credentials);
    res.json({
      items: await store.history({
        ...q,
        entityRef: stringifyEntityRef(entity),
      }),
    });
  });

  async function resolveRange(
    req: Request,
    q: { entityRef: string; base: string; head: string },
  ) {
    const credentials = await authorize(req, deploymentsReadPermission);
    const bySha =
      sha.test(q.base.toLowerCase()) && sha.test(q.head.toLowerCase());
    const { repo, current } = await service.repositoryOf(
      q.entityRef,
      credentials,
      { current: !bySha },
    );
    const toSha = (value: string) => {
      const v = value.toLowerCase();
      if (sha.test(v)) return v;
      const d = current.find(c => c.environment === value);
      if (!d)
        throw new NotFoundError(
          `Nothing is deployed to '${value}' (neither an environment with a deployment nor a full commit SHA)`,
        );
      return d.commitSha;
    };
    return { repo, base: toSha(q.base), head: toSha(q.head) };
  }

  router.get('/v1/entity/diff', async (req, res) => {
    const q = parseInput(diffQuery, req.query);
    const { repo, base, head } = await resolveRange(req, q);
    res.json(
      await diff.diff(repo, base, head, {
        side: q.side,
        offset: q.offset,
        limit: q.limit,
        files: q.files === 'true',
      }),
    );
  });

  router.get('/v1/entity/diff/files', async (req, res) => {
    const q = parseInput(
      diffQuery.pick({ entityRef: true, base: true, head: true }),
      req.query,
    );
    const { repo, base, head } = await resolveRange(req, q);
    res.json({ files: await diff.rangeFiles(repo, base, head) });
  });

  router.get('/v1/drift', async (req, res) => {
    const credentials = await authorize(req, deploymentsReadPermission);
    res.json(
      await drift.summary(credentials, parseInput(driftQuery, req.query)),
    );
  });

  return router;
}
