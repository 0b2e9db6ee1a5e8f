import { InputError } from '@backstage/errors';
import { createTemplateRenderer } from 'nunjitsu';

// The same secure engine the scaffolder renders `${{ }}` expressions with: a
// closed interpreter (no JavaScript evaluation, reserved names such as
// `constructor` and `__proto__` refused) with limits on work and output size.
const renderer = createTemplateRenderer({});

const singleExpression = /^\$\{\{[^}]*\}\}$/;

/**
 * Whether a raw (unrendered) string, or any string inside an array or object,
 * holds a template expression: a `${{ }}` interpolation or a `{% %}` tag.
 * Exactly the strings {@link renderTemplates} renders; everything else passes
 * through it unchanged. Lets an executor (or the Runbook processor) insist
 * that a field is the runbook author's static text, e.g. the `command` of an
 * `ssh` step, so that no parameter can turn into code there.
 */
export function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string')
    return value.includes('${{') || value.includes('{%');
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (value && typeof value === 'object')
    return Object.values(value).some(containsTemplate);
  return false;
}

/**
 * Renders every string inside a step input; a lone `${{ x }}` keeps x's type.
 * Rendering happens once, on the runbook's own text: a value that comes out of
 * the context (a parameter, an entity field, a step output, a secret) is data
 * and is never rendered again, even when it looks like `${{ secrets.X }}`.
 */
export function renderTemplates(
  value: unknown,
  context: Record<string, unknown>,
): unknown {
  // prepared once, and only when the input holds a template at all
  let prepared: ReturnType<typeof renderer.prepareContext> | undefined;
  const ctx = () =>
    (prepared ??= renderer.prepareContext(JSON.parse(JSON.stringify(context))));
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      if (!containsTemplate(v)) return v;
      try {
        if (singleExpression.test(v.trim())) {
          return renderer.renderValue(v.trim(), ctx());
        }
        return renderer.render(v, ctx());
      } catch (e) {
        throw new InputError(
          `Template in ${path} failed: ${(e as Error).message}`,
        );
      }
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, walk(x, `${path}.${k}`)]),
      );
    }
    return v;
  };
  return walk(value, 'input');
}
