import { Recipe, RecipeStep } from '@fleetdeck/plugin-changes-common';
import { changedFiles, checkoutRoot } from './checkoutGit';
import { assertGlobInside } from './checkoutFiles';
import { applyCommandStep, checkCommandStep } from './commandStep';
import { applyReplaceStep, checkReplaceStep } from './replaceStep';
import { applySetFieldStep, fieldKeys } from './setFieldStep';
import { StepContext } from './StepContext';

/** How {@link applyRecipe} runs a recipe. */
export interface ApplyRecipeOptions {
  /** The change comes from a trusted source: only then may `command` steps run. */
  trusted: boolean;
  /** Per-file time limit for a regex step (default 2000 ms). */
  fileTimeoutMs?: number;
  /** Files larger than this are skipped (default 5 MiB). */
  maxFileBytes?: number;
  signal?: AbortSignal;
}

/** What a recipe did to one checkout. */
export interface RecipeResult {
  /** Repository-relative paths the recipe changed, sorted. */
  changedFiles: string[];
  /** Files a step selected but left alone, with why (binary, too large, symlink, unparsable YAML...). */
  skipped: { path: string; reason: string }[];
}

const DEFAULT_FILE_TIMEOUT_MS = 2000;
const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Applies a change's recipe to a git working tree, step by step, and reports
 * the files that now differ from HEAD. The whole recipe is checked first
 * (globs, trust, patterns, field paths), so a refused recipe touches nothing.
 * Throws a {@link RecipeError} naming the step when one cannot be applied.
 */
export async function applyRecipe(
  dir: string,
  recipe: Recipe,
  options: ApplyRecipeOptions,
): Promise<RecipeResult> {
  recipe.forEach((step, i) => checkStep(i + 1, step, options.trusted));
  const root = await checkoutRoot(dir);
  const skipped = new Map<string, { path: string; reason: string }>();
  for (const [i, step] of recipe.entries()) {
    options.signal?.throwIfAborted();
    const ctx: StepContext = {
      root,
      step: i + 1,
      fileTimeoutMs: options.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS,
      maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      signal: options.signal,
      skip: (path, reason) =>
        skipped.set(`${path}\0${reason}`, { path, reason }),
    };
    switch (step.type) {
      case 'replace':
        await applyReplaceStep(ctx, step);
        break;
      case 'setField':
        await applySetFieldStep(ctx, step);
        break;
      default:
        await applyCommandStep(ctx, step);
    }
  }
  return {
    changedFiles: await changedFiles(root),
    skipped: [...skipped.values()],
  };
}

function checkStep(step: number, recipeStep: RecipeStep, trusted: boolean) {
  switch (recipeStep.type) {
    case 'replace':
      recipeStep.files.forEach(glob => assertGlobInside(step, glob));
      checkReplaceStep(step, recipeStep);
      break;
    case 'setField':
      recipeStep.files.forEach(glob => assertGlobInside(step, glob));
      fieldKeys(step, recipeStep);
      break;
    default:
      checkCommandStep(step, trusted);
  }
}
