import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { parseInput } from '@fleetdeck/fleetdeck-node';
import { z as z4 } from 'zod';
import { ChangesService } from '../service/ChangesService';

/** Repositories listed; a change may cover thousands. */
const MAX_REPOSITORIES = 500;
/** Characters of one repository's diff returned. */
const MAX_DIFF = 100_000;

const previewInput = z4.object({
  changeId: z4.uuid(),
  entityRef: z4.string().min(1).max(255).optional(),
});

/** `entityRef` as stored, or an InputError when the change does not cover it. */
function refInChange(refs: string[], entityRef: string): string {
  let wanted: string;
  try {
    wanted = stringifyEntityRef(
      parseEntityRef(entityRef, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch (e) {
    throw new InputError(`${entityRef} is not an entity ref: ${e}`);
  }
  const found = refs.find(r => r.toLocaleLowerCase('en-US') === wanted);
  if (!found) {
    throw new InputError(`The change does not cover ${entityRef}`);
  }
  return found;
}

/**
 * `get-change-preview`: where a change stands, per repository (state and
 * changed files), and the exact `git diff` for one repository when asked.
 */
export function registerGetChangePreviewAction(options: {
  actionsRegistry: ActionsRegistryService;
  service: ChangesService;
}) {
  const { actionsRegistry, service } = options;
  actionsRegistry.register({
    name: 'get-change-preview',
    title: 'Get the preview of a change',
    description:
      "A change's state, its repositories counted by state (previewed, no_change, failed, pr_open, ...), each repository's state, changed files and error, and with entityRef the exact git diff the change makes in that repository. The change is still computing while its state is previewing. Needs the changes.change.read permission.",
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          changeId: z.string().describe('The id create-change returned'),
          entityRef: z
            .string()
            .optional()
            .describe(
              'A repository of the change, e.g. component:default/payments-api: also return its diff',
            ),
        }),
      output: z =>
        z.object({
          changeId: z.string(),
          title: z.string(),
          state: z.string(),
          branch: z.string(),
          total: z.number(),
          counts: z.record(z.number()),
          repositories: z.array(
            z.object({
              entityRef: z.string(),
              state: z.string(),
              files: z
                .array(
                  z.object({
                    path: z.string(),
                    added: z.number(),
                    removed: z.number(),
                  }),
                )
                .optional(),
              error: z.string().optional(),
              pullRequestUrl: z.string().optional(),
            }),
          ),
          omittedRepositories: z.number(),
          diff: z
            .object({
              entityRef: z.string(),
              diff: z.string(),
              truncated: z.boolean(),
            })
            .optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { changeId, entityRef } = parseInput(previewInput, input);
      const caller = { credentials };
      const change = await service.get(changeId, caller);
      const refs = change.repositories.map(r => r.entityRef);
      let diff;
      if (entityRef) {
        const found = await service.diff(
          changeId,
          refInChange(refs, entityRef),
          caller,
        );
        diff = {
          entityRef: found.entityRef,
          diff: found.diff.slice(0, MAX_DIFF),
          truncated: found.diff.length > MAX_DIFF,
        };
      }
      const counts: Record<string, number> = {};
      for (const [state, n] of Object.entries(change.counts)) {
        if (n !== undefined) counts[state] = n;
      }
      return {
        output: {
          changeId: change.id,
          title: change.title,
          state: change.state,
          branch: change.branch,
          total: change.total,
          counts,
          repositories: change.repositories
            .slice(0, MAX_REPOSITORIES)
            .map(r => ({
              entityRef: r.entityRef,
              state: r.state,
              files: r.files,
              error: r.error,
              pullRequestUrl: r.pullRequest?.url,
            })),
          omittedRepositories: Math.max(
            0,
            change.repositories.length - MAX_REPOSITORIES,
          ),
          ...(diff ? { diff } : {}),
        },
      };
    },
  });
}
