import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ForwardedError, InputError, ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { parseInput } from '@fleetdeck/fleetdeck-node';
import {
  changeInputSchema,
  ChangeSummary,
} from '@fleetdeck/plugin-changes-common';
import { createHash } from 'crypto';
import { examples } from './createChange.examples';

/** What a dry run outputs instead of a change it did not create. */
export const DRY_RUN_CHANGE_ID = 'dry-run';

const refs = (description: string) => ({ description });
const globs = refs('Path globs in the repository, e.g. charts/*/values.yaml');

/**
 * `fleetdeck:changes:create`: creates a fleet-wide change through the changes
 * API on behalf of the user who runs the template, so every check of the API
 * applies (`changes.change.create`, the targets the user may read, no
 * command steps unless they come from a recipe operators configured, named
 * by `recipeName`). The change starts previewing; nothing is pushed until
 * someone applies it on its page.
 *
 * @public
 */
export function createChangesCreateAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
}) {
  const { auth, discovery } = options;
  return createTemplateAction({
    id: 'fleetdeck:changes:create',
    description:
      'Creates a fleet-wide change (a recipe of edits for the repositories of the target entities) and starts its preview; nothing is pushed until it is applied on its page.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        title: z =>
          z.string({ description: 'Also the commit and pull request title' }),
        description: z =>
          z
            .string({ description: 'The pull request body (Markdown)' })
            .optional(),
        targets: z =>
          z.object(
            {
              kind: z
                .array(z.string(), refs('Entity kinds; default Component'))
                .optional(),
              owner: z
                .array(z.string(), refs('Owner refs, e.g. group:default/x'))
                .optional(),
              system: z.array(z.string(), refs('System refs')).optional(),
              tag: z.array(z.string(), refs('Entity tags')).optional(),
              lifecycle: z.array(z.string(), refs('Lifecycles')).optional(),
              entityRefs: z
                .array(z.string(), refs('Explicit entity refs'))
                .optional(),
            },
            { description: 'Which entities (and so repositories) to change' },
          ),
        recipe: z =>
          z
            .array(
              z.discriminatedUnion('type', [
                z.object({
                  type: z.literal('replace'),
                  files: z.array(z.string(), globs),
                  pattern: z.string({
                    description:
                      'A JavaScript regular expression, or a fixed string',
                  }),
                  fixedString: z.boolean().optional(),
                  flags: z
                    .string({
                      description: 'Regex flags besides g: i, m, s, u',
                    })
                    .optional(),
                  replacement: z.string({
                    description: '$1 and $<name> refer to groups',
                  }),
                }),
                z.object({
                  type: z.literal('setField'),
                  files: z.array(z.string(), globs),
                  path: z.string({
                    description: 'Dot-separated keys, e.g. image.tag',
                  }),
                  value: z.union([z.string(), z.number(), z.boolean()]),
                  create: z
                    .boolean({ description: 'Also create a missing field' })
                    .optional(),
                }),
              ]),
              {
                description:
                  'The edits, applied in order in every repository; give this or recipeName',
              },
            )
            .optional(),
        recipeName: z =>
          z
            .string({
              description:
                'Instead of recipe: the name of a recipe operators configured in changes.recipes (which may run commands), e.g. add-editorconfig',
            })
            .optional(),
        branch: z =>
          z
            .string({
              description:
                'Branch pushed in every repository; fleetdeck/change-<id> if unset',
            })
            .optional(),
        concurrency: z =>
          z
            .number({
              description:
                'Repositories worked on at once during apply; 8 if unset',
            })
            .optional(),
      },
      output: {
        changeId: z => z.string(),
        changeUrl: z =>
          z.string({ description: "The change's page, /changes/<id>" }),
      },
    },
    async handler(ctx) {
      const input = parseInput(changeInputSchema, ctx.input);
      // the API refuses them too; a dry run should say so
      if (input.recipe?.some(step => step.type === 'command')) {
        throw new InputError(
          'command steps run only in changes from a trusted source (a recipe configured in changes.recipes, chosen with recipeName); use replace or setField steps',
        );
      }
      if (ctx.isDryRun) {
        const edits = input.recipe
          ? `${input.recipe.length} recipe steps`
          : `the configured recipe ${input.recipeName}`;
        ctx.logger.info(
          `Dry run: would create the change "${input.title}" with ${edits}`,
        );
        ctx.output('changeId', DRY_RUN_CHANGE_ID);
        ctx.output('changeUrl', `/changes/${DRY_RUN_CHANGE_ID}`);
        return;
      }
      // a retried task finds the change it created before instead of a second one
      const digest = createHash('sha256')
        .update(JSON.stringify(input))
        .digest('hex')
        .slice(0, 16);
      const change = await ctx.checkpoint({
        key: `fleetdeck-changes-create-${ctx.step?.id ?? 'step'}-${digest}`,
        fn: async () => {
          const baseUrl = await discovery.getBaseUrl('changes');
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: await ctx.getInitiatorCredentials(),
            targetPluginId: 'changes',
          });
          const res = await fetch(`${baseUrl}/changes`, {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/json',
            },
            body: JSON.stringify(input),
            signal: ctx.signal,
          });
          if (!res.ok) {
            // the cause carries the API's own error (NotAllowedError, InputError)
            const { cause } = await ResponseError.fromResponse(res);
            throw new ForwardedError(
              `The changes API refused the change (${res.status})`,
              cause,
            );
          }
          const created = (await res.json()) as ChangeSummary;
          return { id: created.id, total: created.total };
        },
      });
      const changeUrl = `/changes/${change.id}`;
      ctx.logger.info(
        `Created the change ${change.id} on ${change.total} repositories; its preview is at ${changeUrl}`,
      );
      ctx.output('changeId', change.id);
      ctx.output('changeUrl', changeUrl);
    },
  });
}
