import { InputError } from '@backstage/errors';
import { createTemplateRenderer } from 'nunjitsu';

// The same secure engine the scaffolder renders `${{ }}` expressions with: a
// closed interpreter (no JavaScript evaluation, reserved names such as
// `constructor` and `__proto__` refused) with limits on work and output size.
const renderer = createTemplateRenderer({});

const singleExpression = /^\$\{\{[^}]*\}\}$/;

/** Renders every string inside a step input; a lone `${{ x }}` keeps x's type. */
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
      if (!v.includes('${{') && !v.includes('{%')) return v;
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
