import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ActionContext,
  createTemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import { RunSummary } from '@fleetdeck/plugin-runbooks-common';
import { examples } from './createRunRunbookAction.examples';

const ENDED = ['succeeded', 'failed', 'cancelled'];

/** The inputs of `runbooks:run`, as its schema below declares them. */
type RunInput = {
  runbook: string;
  targets?: string[];
  parameters?: Record<string, unknown>;
  dryRun?: boolean;
  wait?: boolean;
  waitTimeoutMinutes?: number;
};

/** The outputs of `runbooks:run`. */
type RunOutput = {
  runId: string;
  status: string;
  total: number;
  succeeded: number;
  failed: number;
};

/** What of the scaffolder's action context a run uses. */
type RunContext = Pick<
  ActionContext<JsonObject, RunOutput>,
  | 'logger'
  | 'isDryRun'
  | 'signal'
  | 'getInitiatorCredentials'
  | 'checkpoint'
  | 'output'
> & { input: RunInput };

type Deps = {
  auth: AuthService;
  discovery: DiscoveryService;
  pollIntervalMs?: number;
};

/** Calls the runbooks API on behalf of the template's initiator. */
function runbooksApi(deps: Deps, ctx: RunContext) {
  return async (method: string, path: string, body?: unknown) => {
    const baseUrl = await deps.discovery.getBaseUrl('runbooks');
    const { token } = await deps.auth.getPluginRequestToken({
      onBehalfOf: await ctx.getInitiatorCredentials(),
      targetPluginId: 'runbooks',
    });
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as RunSummary;
  };
}

/** Starts the run once (a checkpoint), then waits for its end if asked. */
async function runRunbook(ctx: RunContext, deps: Deps) {
  const call = runbooksApi(deps, ctx);
  // a template preview (scaffolder dry run) starts a runbook dry run
  const dryRun = Boolean(ctx.input.dryRun || ctx.isDryRun);
  const runId = await ctx.checkpoint({
    key: `runbooks-run-${ctx.input.runbook}`,
    fn: async () => {
      const run = await call('POST', '/runs', {
        runbookRef: ctx.input.runbook,
        targets: ctx.input.targets,
        parameters: ctx.input.parameters,
        dryRun,
      });
      ctx.logger.info(
        `Started ${dryRun ? 'dry run' : 'run'} ${run.id} of ${
          run.runbookRef
        } on ${run.total} targets`,
      );
      return run.id;
    },
  });
  let run = await call('GET', `/runs/${runId}`);
  if (ctx.input.wait) {
    const deadline = Date.now() + (ctx.input.waitTimeoutMinutes ?? 60) * 60_000;
    while (!ENDED.includes(run.status)) {
      if (Date.now() > deadline)
        throw new Error(`Run ${runId} did not end in time`);
      if (ctx.signal?.aborted) throw new Error('Task cancelled');
      await new Promise(r => setTimeout(r, deps.pollIntervalMs ?? 2000));
      run = await call('GET', `/runs/${runId}`);
    }
    ctx.logger.info(
      `Run ${runId} ${run.status}: ${run.counts.succeeded} succeeded, ${run.counts.failed} failed`,
    );
  }
  ctx.output('runId', run.id);
  ctx.output('status', run.status);
  ctx.output('total', run.total);
  ctx.output('succeeded', run.counts.succeeded);
  ctx.output('failed', run.counts.failed + run.counts.rejected);
  if (ctx.input.wait && run.status !== 'succeeded') {
    throw new Error(`Runbook run ${runId} ended ${run.status}`);
  }
}

/**
 * `runbooks:run`: starts a runbook run through the runbooks API on behalf of
 * the user who started the template, so every check of the API applies
 * (parameters, target filter, `runbooks.run` per target).
 * @public
 */
export function createRunRunbookAction(options: Deps) {
  return createTemplateAction({
    id: 'runbooks:run',
    description:
      'Starts a maintenance runbook on catalog entities (e.g. clusters), optionally waiting until it ends.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        runbook: z =>
          z.string({
            description:
              'Runbook entity ref, e.g. runbook:default/kafka-rolling-patch',
          }),
        targets: z =>
          z
            .array(z.string(), {
              description:
                'Target entity refs; all matching entities when omitted',
            })
            .optional(),
        parameters: z =>
          z
            // any, not unknown: the inferred input type is part of the
            // published .d.ts and must satisfy TemplateAction's JsonObject
            .record(z.string(), z.any(), {
              description: 'Runbook parameters',
            })
            .optional(),
        dryRun: z =>
          z.boolean({ description: 'Only show what would change' }).optional(),
        wait: z =>
          z
            .boolean({
              description:
                'Wait until the run ends and fail the step if it failed',
            })
            .optional(),
        waitTimeoutMinutes: z =>
          z
            .number()
            .int()
            .min(1)
            .max(24 * 60)
            .optional(),
      },
      output: {
        runId: z => z.string(),
        status: z => z.string(),
        total: z => z.number(),
        succeeded: z => z.number(),
        failed: z => z.number(),
      },
    },
    handler: ctx => runRunbook(ctx, options),
  });
}
