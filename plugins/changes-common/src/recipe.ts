import { z } from 'zod';

/**
 * A path glob relative to the repository root (`package.json`, `**\/Dockerfile`,
 * `charts/*\/values.yaml`). Absolute paths and `..` segments are refused: a
 * recipe edits files inside the checkout only.
 */
export const fileGlobSchema = z
  .string()
  .min(1)
  .max(200)
  .refine(g => !g.startsWith('/') && !g.split('/').includes('..'), {
    message: 'must be a path inside the repository (no leading / and no ..)',
  });

/** Replace every match of a pattern in the files the globs select. */
export const replaceStepSchema = z.object({
  type: z.literal('replace'),
  files: z.array(fileGlobSchema).min(1).max(20),
  /** A regular expression (JavaScript syntax), or a fixed string with `fixedString`. */
  pattern: z.string().min(1).max(1000),
  fixedString: z.boolean().default(false),
  /** Regex flags besides `g` (always on): `i`, `m`, `s`, `u`. */
  flags: z
    .string()
    .regex(/^[imsu]*$/, 'may only hold the flags i, m, s and u')
    .default(''),
  /** `$1`, `$<name>` refer to groups (JavaScript's String.replace syntax); literal with `fixedString`. */
  replacement: z.string().max(10_000),
});

/**
 * Set one field in YAML or JSON files (a chart's `image.tag`, a
 * `dependencies.express` version in package.json). The format follows the
 * file's extension. Comments, key order and indentation are kept; a file
 * without the field's parent is left alone unless `create` is set.
 */
export const setFieldStepSchema = z.object({
  type: z.literal('setField'),
  files: z.array(fileGlobSchema).min(1).max(20),
  /** Dot-separated keys, e.g. `image.tag`; a key holding a dot is written `["a.b"]`. */
  path: z.string().min(1).max(300),
  value: z.union([z.string().max(10_000), z.number(), z.boolean()]),
  /** Only change files where the field already exists (default), or create it. */
  create: z.boolean().default(false),
});

/**
 * A command run in the checkout (argv, no shell), for what the declarative
 * steps cannot say. Only changes defined in a trusted source may use it.
 */
export const commandStepSchema = z.object({
  type: z.literal('command'),
  command: z.array(z.string().min(1).max(4096)).min(1).max(64),
  timeoutSeconds: z.number().int().min(1).max(600).default(60),
});

export const recipeStepSchema = z.discriminatedUnion('type', [
  replaceStepSchema,
  setFieldStepSchema,
  commandStepSchema,
]);

/** The edits a change makes in every repository, applied in order. */
export const recipeSchema = z.array(recipeStepSchema).min(1).max(20);

/**
 * The name of a recipe operators define in app-config (`changes.recipes`):
 * lowercase letters and digits, in words joined by single dashes.
 */
export const recipeNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'a recipe name is lowercase letters and digits joined by single dashes, e.g. add-editorconfig',
  );

/**
 * A recipe operators defined in app-config (`changes.recipes.<name>`), the
 * trusted source of recipes: only operators edit app-config, so its steps may
 * include `command` steps. A change made from it copies its steps.
 */
export interface TrustedRecipe {
  /** Its key in `changes.recipes`. */
  name: string;
  title: string;
  description?: string;
  steps: Recipe;
}

export type ReplaceStep = z.infer<typeof replaceStepSchema>;
export type SetFieldStep = z.infer<typeof setFieldStepSchema>;
export type CommandStep = z.infer<typeof commandStepSchema>;
export type RecipeStep = z.infer<typeof recipeStepSchema>;
export type Recipe = z.infer<typeof recipeSchema>;
