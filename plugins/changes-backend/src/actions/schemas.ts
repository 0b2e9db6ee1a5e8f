import type { z } from 'zod/v3';

/**
 * The actions registry describes inputs to its callers (MCP clients) as JSON
 * schema made from zod v3, while `@fleetdeck/plugin-changes-common` holds the
 * authoritative zod v4 schemas. These describe the same shapes, without
 * limits or defaults: the actions validate again with the common schemas,
 * which apply both. `schemas.test.ts` keeps the field names in step.
 */
type Zod = typeof z;

const refs = (zod: Zod, description: string) =>
  zod.array(zod.string()).optional().describe(description);

/** The v3 description of `entityFilterSchema`. */
export function entityFilterInput(zod: Zod) {
  return zod.object({
    kind: refs(zod, 'Entity kinds; default Component'),
    owner: refs(zod, 'Owner refs, e.g. group:default/payments'),
    system: refs(zod, 'System refs, e.g. system:default/payments-platform'),
    tag: refs(zod, 'Entity tags'),
    lifecycle: refs(zod, 'Lifecycles, e.g. production'),
    entityRefs: refs(
      zod,
      'Explicit entity refs (e.g. a search result); intersected with the other filters',
    ),
  });
}

/** The v3 description of `searchQuerySchema`. */
export function searchQueryInput(zod: Zod) {
  return entityFilterInput(zod).extend({
    query: zod
      .string()
      .describe('What to look for: a fixed string unless regex is set'),
    regex: zod
      .boolean()
      .optional()
      .describe('The query is a POSIX extended regular expression'),
    ignoreCase: zod.boolean().optional(),
    files: zod
      .array(zod.string())
      .optional()
      .describe('Only files matching these globs, e.g. **/Dockerfile'),
  });
}

const files = (zod: Zod) =>
  zod
    .array(zod.string())
    .describe(
      'Path globs inside the repository, e.g. package.json, charts/*/values.yaml',
    );

/** The v3 description of a recipe step (command steps are refused from the API). */
export function recipeStepInput(zod: Zod) {
  return zod.discriminatedUnion('type', [
    zod
      .object({
        type: zod.literal('replace'),
        files: files(zod),
        pattern: zod
          .string()
          .describe('A JavaScript regular expression, or a fixed string'),
        fixedString: zod.boolean().optional(),
        flags: zod
          .string()
          .optional()
          .describe('Regex flags besides g: any of i, m, s, u'),
        replacement: zod
          .string()
          .describe('$1 and $<name> refer to groups unless fixedString'),
      })
      .describe('Replace every match of a pattern in the selected files'),
    zod
      .object({
        type: zod.literal('setField'),
        files: files(zod),
        path: zod
          .string()
          .describe(
            'Dot-separated keys, e.g. image.tag or dependencies.express',
          ),
        value: zod.union([zod.string(), zod.number(), zod.boolean()]),
        create: zod
          .boolean()
          .optional()
          .describe('Also create the field where it is missing'),
      })
      .describe(
        'Set one field in YAML or JSON files, keeping comments and order',
      ),
  ]);
}

/** The v3 description of `changeInputSchema`. */
export function changeInput(zod: Zod) {
  return zod.object({
    title: zod.string().describe('Also the commit and pull request title'),
    description: zod
      .string()
      .optional()
      .describe('The pull request body (Markdown)'),
    targets: entityFilterInput(zod).describe(
      'Which entities (and so repositories) the change covers',
    ),
    recipe: zod
      .array(recipeStepInput(zod))
      .optional()
      .describe(
        'The edits, applied in order in every repository; give this or recipeName',
      ),
    recipeName: zod
      .string()
      .optional()
      .describe(
        'Instead of recipe: the name of a recipe operators configured (changes.recipes; GET /api/changes/recipes lists them), e.g. add-editorconfig. Such a recipe may run commands',
      ),
    branch: zod
      .string()
      .optional()
      .describe(
        'Branch pushed in every repository; fleetdeck/change-<id> if unset',
      ),
    concurrency: zod
      .number()
      .optional()
      .describe('Repositories worked on at once during apply; 8 if unset'),
  });
}
