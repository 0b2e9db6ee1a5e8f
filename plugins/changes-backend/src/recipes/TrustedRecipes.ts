import { Config } from '@backstage/config';
import {
  recipeNameSchema,
  recipeSchema,
  TrustedRecipe,
} from '@fleetdeck/plugin-changes-common';
import { z } from 'zod';

/** One entry of `changes.recipes`; unknown keys (a misspelt `step`) are errors. */
const configuredRecipeSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).optional(),
  steps: recipeSchema,
});

/** `steps.0.command: Too small…` from a zod issue. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * The recipes operators define in app-config (`changes.recipes`), the
 * trusted source of recipes: nobody but the operators writes app-config, so
 * these may hold `command` steps, which run (sandboxed) in every checkout.
 * Read once at startup; a change made from one copies its steps, so editing
 * the config later never alters a change that exists.
 */
export class TrustedRecipes {
  /** A Map, not an object: a name such as `__proto__` finds nothing. */
  private readonly byName: Map<string, TrustedRecipe>;

  static empty(): TrustedRecipes {
    return new TrustedRecipes([]);
  }

  /**
   * Parses `changes.recipes` with the recipe schema; throws, naming the
   * recipe and what is wrong with it, on the first invalid one.
   */
  static fromConfig(config: Config): TrustedRecipes {
    const section = config.getOptionalConfig('changes.recipes');
    const recipes = (section?.keys() ?? []).map(name => {
      const where = `changes.recipes.${name}`;
      const validName = recipeNameSchema.safeParse(name);
      if (!validName.success) {
        throw new Error(
          `Invalid recipe name '${name}' in changes.recipes: ${validName.error.issues[0].message}`,
        );
      }
      const parsed = configuredRecipeSchema.safeParse(section!.get(name));
      if (!parsed.success) {
        throw new Error(
          `Invalid recipe ${where}: ${parsed.error.issues
            .map(describeIssue)
            .join('; ')}`,
        );
      }
      const { title, description, steps } = parsed.data;
      return {
        name,
        title,
        ...(description ? { description } : {}),
        steps,
      };
    });
    return new TrustedRecipes(recipes);
  }

  constructor(recipes: TrustedRecipe[]) {
    this.byName = new Map(recipes.map(r => [r.name, r]));
  }

  /** Every recipe, by name. */
  list(): TrustedRecipe[] {
    return [...this.byName.values()].sort((a, b) =>
      a.name.localeCompare(b.name, 'en-US'),
    );
  }

  get(name: string): TrustedRecipe | undefined {
    return this.byName.get(name);
  }

  /** The configured names, for error messages. */
  names(): string[] {
    return this.list().map(r => r.name);
  }
}
