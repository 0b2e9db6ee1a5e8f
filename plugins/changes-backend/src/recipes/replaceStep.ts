import { ReplaceStep } from '@fleetdeck/plugin-changes-common';
import { readFileText, selectFiles, writeFileText } from './checkoutFiles';
import { RecipeError } from './RecipeError';
import { sharedRegexWorker } from './RegexWorker';
import { StepContext } from './StepContext';

/** Refuses a pattern that is not a valid regular expression, before any file is touched. */
export function checkReplaceStep(step: number, replace: ReplaceStep): void {
  if (replace.fixedString) return;
  try {
    // Compiling is cheap and cannot backtrack; matching is what may hang.
    RegExp(replace.pattern, `${replace.flags}g`);
  } catch (e) {
    throw new RecipeError(
      `step ${step}: the pattern is not a valid regular expression: ${
        (e as Error).message
      }`,
    );
  }
}

/** Replaces every match of the step's pattern in the files it selects. */
export async function applyReplaceStep(
  ctx: StepContext,
  replace: ReplaceStep,
): Promise<void> {
  for (const path of await selectFiles(ctx.root, replace.files)) {
    ctx.signal?.throwIfAborted();
    const file = await readFileText(ctx.root, path, ctx.maxFileBytes, ctx.step);
    if ('reason' in file) {
      ctx.skip(path, file.reason);
      continue;
    }
    const replaced = replace.fixedString
      ? replaceLiterally(file.text, replace.pattern, replace.replacement)
      : await replaceInWorker(ctx, path, file.text, replace);
    if (replaced !== undefined) await writeFileText(ctx.root, path, replaced);
  }
}

/** The text with every occurrence replaced, `$` included, or undefined when none. */
function replaceLiterally(
  text: string,
  search: string,
  replacement: string,
): string | undefined {
  const parts = text.split(search);
  return parts.length > 1 ? parts.join(replacement) : undefined;
}

async function replaceInWorker(
  ctx: StepContext,
  path: string,
  text: string,
  replace: ReplaceStep,
): Promise<string | undefined> {
  const outcome = await sharedRegexWorker.replace(
    {
      pattern: replace.pattern,
      flags: `${replace.flags}g`,
      replacement: replace.replacement,
      text,
    },
    ctx.fileTimeoutMs,
    ctx.signal,
  );
  switch (outcome.kind) {
    case 'done':
      return outcome.text;
    case 'timeout':
      throw new RecipeError(
        `step ${ctx.step}: the pattern took longer than ${ctx.fileTimeoutMs} ms on ${path} (catastrophic backtracking?)`,
      );
    default:
      throw new RecipeError(
        `step ${ctx.step}: the replacement failed on ${path}: ${outcome.message}`,
      );
  }
}
