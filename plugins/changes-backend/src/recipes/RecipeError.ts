import { CustomErrorBase } from '@backstage/errors';

/**
 * A recipe that cannot be applied to a checkout: a refused step, a pattern
 * that is invalid or too slow, a command that failed. The message names the
 * step (counted from 1) and, where there is one, the file.
 */
export class RecipeError extends CustomErrorBase {
  name = 'RecipeError' as const;
}
