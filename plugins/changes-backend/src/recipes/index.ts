/**
 * The recipe engine: applies a fleet-wide change's edits (regex replace,
 * set a YAML or JSON field, a trusted command) to one repository's checkout.
 */
export { applyRecipe } from './applyRecipe';
export type { ApplyRecipeOptions, RecipeResult } from './applyRecipe';
export { RecipeError } from './RecipeError';
export { TrustedRecipes } from './TrustedRecipes';
