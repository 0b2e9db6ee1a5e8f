import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { RunbooksService } from '../service/RunbooksService';

/**
 * Actions for AI agents and other callers of Backstage's actions registry.
 * They run with the caller's credentials, so the same permission checks apply
 * as in the HTTP API; the only action that starts anything starts dry runs.
 */
export function registerRunbookActions(options: {
  actionsRegistry: ActionsRegistryService;
  service: RunbooksService;
}) {
  registerListRunbooks(options);
  registerStartDryRun(options);
  registerGetRun(options);
}

interface Options {
  actionsRegistry: ActionsRegistryService;
  service: RunbooksService;
}

function registerListRunbooks({ actionsRegistry, service }: Options) {
  actionsRegistry.register({
    name: 'list-runbooks',
    title: 'List runbooks',
    description:
      'Lists the maintenance runbooks in the catalog, optionally only those that apply to one entity (e.g. cluster:default/kafka-prod-01).',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .optional()
            .describe('Only runbooks whose target filter matches this entity'),
        }),
      output: z =>
        z.object({
          runbooks: z.array(
            z.object({
              entityRef: z.string(),
              title: z.string().optional(),
              description: z.string().optional(),
              owner: z.string(),
              dryRunSupported: z.boolean(),
              parameters: z.record(z.unknown()).optional(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const runbooks = await service.listRunbooks(input, { credentials });
      return {
        output: {
          runbooks: runbooks.map(r => ({
            entityRef: r.entityRef,
            title: r.title,
            description: r.description,
            owner: r.owner,
            dryRunSupported: r.dryRunSupported,
            parameters: r.parameters,
          })),
        },
      };
    },
  });
}

function registerStartDryRun({ actionsRegistry, service }: Options) {
  actionsRegistry.register({
    name: 'start-runbook-dry-run',
    title: 'Start a runbook dry run',
    description:
      'Starts a dry run of a runbook on the given targets (Ansible --check --diff and the like): shows what would change without changing it. Needs the runbooks.run permission on every target.',
    attributes: { destructive: false, readOnly: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          runbookRef: z
            .string()
            .describe('e.g. runbook:default/kafka-rolling-patch'),
          targets: z
            .array(z.string())
            .optional()
            .describe(
              'Entity refs; all entities the runbook applies to when omitted',
            ),
          parameters: z.record(z.unknown()).optional(),
        }),
      output: z =>
        z.object({ runId: z.string(), status: z.string(), total: z.number() }),
    },
    action: async ({ input, credentials }) => {
      const run = await service.startRun(
        { ...input, dryRun: true },
        { credentials },
      );
      return {
        output: { runId: run.id, status: run.status, total: run.total },
      };
    },
  });
}

function registerGetRun({ actionsRegistry, service }: Options) {
  actionsRegistry.register({
    name: 'get-runbook-run',
    title: 'Get a runbook run',
    description:
      'The status of a runbook run: counts of targets by state, and the failed targets with their errors.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ runId: z.string() }),
      output: z =>
        z.object({
          runId: z.string(),
          runbookRef: z.string(),
          status: z.string(),
          dryRun: z.boolean(),
          counts: z.record(z.number()),
          failed: z.array(
            z.object({ entityRef: z.string(), error: z.string().optional() }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const caller = { credentials };
      const run = await service.getRun(input.runId, caller);
      const failed = await service.listTargets(
        { runId: run.id, status: ['failed'], offset: 0, limit: 50 },
        caller,
      );
      return {
        output: {
          runId: run.id,
          runbookRef: run.runbookRef,
          status: run.status,
          dryRun: run.dryRun,
          counts: run.counts,
          failed: failed.items.map(t => ({
            entityRef: t.entityRef,
            error: t.error,
          })),
        },
      };
    },
  });
}
