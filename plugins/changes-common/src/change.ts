import { z } from 'zod';
import { recipeNameSchema, recipeSchema } from './recipe';

/** Which catalog entities (and so which repositories) a change or a search covers. */
export const entityFilterSchema = z.object({
  /** Entity kinds; default `Component`. */
  kind: z.array(z.string().min(1).max(63)).max(10).optional(),
  /** Owner refs, e.g. `group:default/payments`. */
  owner: z.array(z.string().min(1).max(255)).max(50).optional(),
  system: z.array(z.string().min(1).max(255)).max(50).optional(),
  tag: z.array(z.string().min(1).max(63)).max(50).optional(),
  lifecycle: z.array(z.string().min(1).max(63)).max(10).optional(),
  /** Explicit entity refs (e.g. a search's hits); intersected with the rest. */
  entityRefs: z.array(z.string().min(1).max(255)).max(5000).optional(),
});

/** A code search: `git grep` over each repository's default branch. */
export const searchQuerySchema = entityFilterSchema.extend({
  query: z.string().min(1).max(1000),
  /** Treat the query as a regular expression (POSIX extended, as git grep -E); default fixed string. */
  regex: z.boolean().default(false),
  ignoreCase: z.boolean().default(false),
  /** Only files matching these globs. */
  files: z.array(z.string().min(1).max(200)).max(20).optional(),
});

/**
 * The body of `POST /changes`. The edits are either `recipe`, steps sent
 * with the request (replace and setField only), or `recipeName`, a recipe
 * operators configured in `changes.recipes` (which may run commands):
 * exactly one of the two.
 */
export const changeInputSchema = z
  .object({
    title: z.string().min(1).max(200),
    description: z.string().max(20_000).default(''),
    targets: entityFilterSchema,
    /** The steps, sent with the change. */
    recipe: recipeSchema.optional(),
    /** Or the name of a recipe configured in `changes.recipes`. */
    recipeName: recipeNameSchema.optional(),
    /** Branch pushed in every repository; default `fleetdeck/change-<id>`. */
    branch: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/)
      .refine(
        b => !b.includes('..') && !b.endsWith('.lock') && !b.endsWith('/'),
      )
      .optional(),
    /** How many repositories are worked on at once during apply. */
    concurrency: z.number().int().min(1).max(100).default(8),
  })
  .superRefine((input, ctx) => {
    const hasSteps = input.recipe !== undefined;
    const hasName = input.recipeName !== undefined;
    if (hasSteps === hasName) {
      ctx.addIssue({
        code: 'custom',
        path: hasSteps ? ['recipeName'] : ['recipe'],
        message: hasSteps
          ? 'give either recipe (the steps) or recipeName (a configured recipe), not both'
          : 'give either recipe (the steps) or recipeName (a recipe configured in changes.recipes)',
      });
    }
  });

export type EntityFilter = z.infer<typeof entityFilterSchema>;
export type SearchQuery = z.input<typeof searchQuerySchema>;
export type ChangeInput = z.input<typeof changeInputSchema>;
export type ParsedChangeInput = z.output<typeof changeInputSchema>;
