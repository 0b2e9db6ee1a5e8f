import { SetFieldStep } from '@fleetdeck/plugin-changes-common';
import { extname } from 'path';
import { readFileText, selectFiles, writeFileText } from './checkoutFiles';
import { FieldEdit, FieldValue, parseFieldPath } from './fieldPath';
import { RecipeError } from './RecipeError';
import { setJsonField } from './setJsonField';
import { setYamlField } from './setYamlField';
import { StepContext } from './StepContext';

type FieldSetter = (
  source: string,
  keys: string[],
  value: FieldValue,
  create: boolean,
) => FieldEdit;

const SETTERS: Record<string, FieldSetter> = {
  '.yaml': setYamlField,
  '.yml': setYamlField,
  '.json': setJsonField,
};

/** The keys of the step's field path; refuses a path that cannot be read. */
export function fieldKeys(step: number, setField: SetFieldStep): string[] {
  try {
    return parseFieldPath(setField.path);
  } catch (e) {
    throw new RecipeError(`step ${step}: ${(e as Error).message}`);
  }
}

/** Sets the step's field in the YAML and JSON files it selects. */
export async function applySetFieldStep(
  ctx: StepContext,
  setField: SetFieldStep,
): Promise<void> {
  const keys = fieldKeys(ctx.step, setField);
  for (const path of await selectFiles(ctx.root, setField.files)) {
    ctx.signal?.throwIfAborted();
    const setter = SETTERS[extname(path).toLowerCase()];
    if (!setter) {
      ctx.skip(path, 'not a YAML or JSON file (.yaml, .yml, .json)');
      continue;
    }
    const file = await readFileText(ctx.root, path, ctx.maxFileBytes, ctx.step);
    if ('reason' in file) {
      ctx.skip(path, file.reason);
      continue;
    }
    const edit = setter(file.text, keys, setField.value, setField.create);
    if (edit.kind === 'skipped') ctx.skip(path, edit.reason);
    if (edit.kind === 'changed' && edit.text !== file.text) {
      await writeFileText(ctx.root, path, edit.text);
    }
  }
}
