import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { changeInputSchema } from '@fleetdeck/plugin-changes-common';
import { parseInput } from '@fleetdeck/fleetdeck-node';
import { ChangesService } from '../service/ChangesService';
import { changeInput } from './schemas';

/**
 * `create-change`: creates a change and starts its preview. Nothing is
 * pushed: applying it stays a decision made in the changes page.
 */
export function registerCreateChangeAction(options: {
  actionsRegistry: ActionsRegistryService;
  service: ChangesService;
}) {
  const { actionsRegistry, service } = options;
  actionsRegistry.register({
    name: 'create-change',
    title: 'Create a fleet-wide change',
    description:
      'Creates a change: a recipe of edits (replace, setField) for the repositories of the target entities, or, with recipeName instead of recipe, a recipe operators configured. It starts in state previewing, computing one diff per repository; nothing is pushed and no pull request is opened until someone applies it in Fleetdeck. Follow it with get-change-preview. Needs the changes.change.create permission.',
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: changeInput,
      output: z =>
        z.object({
          changeId: z.string(),
          state: z.string().describe('previewing until every diff is known'),
          urlPath: z
            .string()
            .describe("The change's page in Fleetdeck, e.g. /changes/<id>"),
          branch: z.string(),
          total: z.number().describe('Repositories the change covers'),
        }),
    },
    action: async ({ input, credentials }) => {
      const parsed = parseInput(changeInputSchema, input);
      const change = await service.create(parsed, { credentials });
      return {
        output: {
          changeId: change.id,
          state: change.state,
          urlPath: `/changes/${change.id}`,
          branch: change.branch,
          total: change.total,
        },
      };
    },
  });
}
