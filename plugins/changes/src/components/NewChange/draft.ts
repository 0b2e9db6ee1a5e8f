import {
  ChangeInput,
  changeInputSchema,
  EntityFilter,
  RecipeStep,
} from '@fleetdeck/plugin-changes-common';
import { splitList } from '../shared/format';
import { NewChangePrefill } from './prefill';

/** A replace step as typed in the form. */
export interface ReplaceDraft {
  type: 'replace';
  files: string;
  pattern: string;
  fixedString: boolean;
  ignoreCase: boolean;
  replacement: string;
}

/** A set-field step as typed in the form. */
export interface SetFieldDraft {
  type: 'setField';
  files: string;
  path: string;
  value: string;
  valueType: 'string' | 'number' | 'boolean';
  create: boolean;
}

export type StepDraft = ReplaceDraft | SetFieldDraft;

/** Which services the change covers: explicit entities, or a catalog filter. */
export interface TargetsDraft {
  mode: 'entities' | 'filter';
  /** One entity ref a line. */
  entityRefs: string;
  owner: string;
  system: string;
  tag: string;
  lifecycle: string;
}

/** The new-change form's state. */
export interface ChangeDraft {
  title: string;
  description: string;
  targets: TargetsDraft;
  /** A recipe configured in `changes.recipes`, or '' for the steps below. */
  recipeName: string;
  steps: StepDraft[];
  branch: string;
  concurrency: string;
}

/** Field errors, keyed `title`, `targets`, `steps`, `steps.0.files`, `branch`… */
export type DraftErrors = Record<string, string>;

export const emptyReplaceStep = (): ReplaceDraft => ({
  type: 'replace',
  files: '',
  pattern: '',
  fixedString: true,
  ignoreCase: false,
  replacement: '',
});

export const emptySetFieldStep = (): SetFieldDraft => ({
  type: 'setField',
  files: '',
  path: '',
  value: '',
  valueType: 'string',
  create: false,
});

/** The form's first state, from a search's results when it came from one. */
export function initialDraft(prefill?: NewChangePrefill): ChangeDraft {
  const step = emptyReplaceStep();
  if (prefill?.pattern) {
    step.pattern = prefill.pattern;
    step.fixedString = prefill.fixedString ?? true;
    step.ignoreCase = prefill.ignoreCase ?? false;
    step.files = (prefill.files ?? []).join(', ');
  }
  return {
    title: '',
    description: '',
    targets: {
      mode: prefill?.entityRefs?.length ? 'entities' : 'filter',
      entityRefs: (prefill?.entityRefs ?? []).join('\n'),
      owner: '',
      system: '',
      tag: '',
      lifecycle: '',
    },
    recipeName: '',
    steps: [step],
    branch: '',
    concurrency: '8',
  };
}

function buildTargets(t: TargetsDraft): EntityFilter {
  if (t.mode === 'entities') return { entityRefs: splitList(t.entityRefs) };
  const filter: EntityFilter = {};
  for (const key of ['owner', 'system', 'tag', 'lifecycle'] as const) {
    const values = splitList(t[key]);
    if (values.length) filter[key] = values;
  }
  return filter;
}

function buildStep(step: StepDraft): RecipeStep {
  if (step.type === 'replace') {
    return {
      type: 'replace',
      files: splitList(step.files),
      pattern: step.pattern,
      fixedString: step.fixedString,
      flags: step.ignoreCase ? 'i' : '',
      replacement: step.replacement,
    };
  }
  let value: string | number | boolean = step.value;
  if (step.valueType === 'number') value = Number(step.value.trim());
  if (step.valueType === 'boolean') value = step.value === 'true';
  return {
    type: 'setField',
    files: splitList(step.files),
    path: step.path.trim(),
    value,
    create: step.create,
  };
}

function checkStep(step: StepDraft, i: number, errors: DraftErrors) {
  if (!splitList(step.files).length) {
    errors[`steps.${i}.files`] = 'Which files? e.g. Dockerfile, **/*.yaml';
  }
  if (step.type === 'replace' && !step.pattern) {
    errors[`steps.${i}.pattern`] = 'A pattern is required';
  }
  if (step.type === 'setField') {
    if (!step.path.trim())
      errors[`steps.${i}.path`] = 'A field path is required';
    if (
      step.valueType === 'number' &&
      !Number.isFinite(Number(step.value.trim() || 'x'))
    ) {
      errors[`steps.${i}.value`] = 'Not a number';
    }
  }
}

/** Where a schema issue's path points in the form. */
function errorKey(path: PropertyKey[]): string {
  const [head, index, field] = path;
  if (head === 'recipe' && typeof index === 'number') {
    return field === undefined ? 'steps' : `steps.${index}.${String(field)}`;
  }
  if (head === 'recipe' || head === 'recipeName') return 'steps';
  if (head === 'title' || head === 'branch' || head === 'concurrency') {
    return head;
  }
  if (head === 'targets') return 'targets';
  return 'form';
}

/**
 * The `POST /changes` body of a draft, or what is wrong with it. The form's
 * own checks come first, in words a user acts on; the shared schema then
 * catches the rest (glob rules, branch names) exactly as the server will.
 */
export function buildChangeInput(
  draft: ChangeDraft,
):
  | { input: ChangeInput; errors?: undefined }
  | { input?: undefined; errors: DraftErrors } {
  const errors: DraftErrors = {};
  if (!draft.title.trim()) errors.title = 'A title is required';
  const targets = buildTargets(draft.targets);
  if (draft.targets.mode === 'entities' && !targets.entityRefs?.length) {
    errors.targets = 'List at least one entity';
  }
  if (draft.targets.mode === 'filter' && Object.keys(targets).length === 0) {
    errors.targets =
      'Set at least one filter: a change is never sent to every service by accident';
  }
  if (!draft.recipeName) {
    if (draft.steps.length === 0) errors.steps = 'Add at least one step';
    draft.steps.forEach((s, i) => checkStep(s, i, errors));
  }
  const concurrency = Number(draft.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    errors.concurrency = 'A whole number from 1 to 100';
  }
  if (Object.keys(errors).length) return { errors };

  const input: ChangeInput = {
    title: draft.title.trim(),
    description: draft.description.trim(),
    targets,
    ...(draft.recipeName
      ? { recipeName: draft.recipeName }
      : { recipe: draft.steps.map(buildStep) }),
    concurrency,
    ...(draft.branch.trim() ? { branch: draft.branch.trim() } : {}),
  };
  const parsed = changeInputSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = errorKey(issue.path);
      errors[key] ??=
        key === 'branch' ? 'Not a valid git branch name' : issue.message;
    }
    return { errors };
  }
  return { input };
}
