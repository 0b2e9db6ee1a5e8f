import { InputError } from '@backstage/errors';

/**
 * YAML for Ansible (PyYAML, YAML 1.1) written by hand, so that every byte of
 * it is decided here: strings are double-quoted with everything outside
 * printable ASCII escaped, and, where the value is data, tagged `!unsafe`:
 * Ansible's documented marker for text it must never template. Numbers and
 * booleans keep their types; maps and lists are written in flow style.
 */

/** A string as a double-quoted YAML scalar that PyYAML reads back unchanged. */
export function quoteYamlString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code >= 0xd800 && code <= 0xdfff)
      out += '\\uFFFD'; // a lone surrogate
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

function hex(code: number, width: number) {
  return code.toString(16).toUpperCase().padStart(width, '0');
}

/** A number as YAML 1.1 reads it back: PyYAML's floats need a dot. */
function yamlNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) {
    throw new InputError(`${path} is not a finite number`);
  }
  if (Object.is(value, -0)) return '0';
  if (Number.isSafeInteger(value)) return String(value);
  let text = String(value); // e.g. 0.1, 1.5e-7, 1e+21
  if (!text.includes('.')) text = text.replace(/e/, '.0e');
  if (!text.includes('e')) return text;
  // PyYAML wants a sign in the exponent: 1.5e-7, 1.0e+21
  return text.replace(/e(\d)/, 'e+$1');
}

/**
 * A value as flow-style YAML. With `unsafe`, every string (values, list items
 * and map keys, at any depth) is tagged `!unsafe`.
 */
export function toYaml(
  value: unknown,
  options: { unsafe: boolean; path: string },
): string {
  const { unsafe, path } = options;
  const string = (s: string) =>
    unsafe ? `!unsafe ${quoteYamlString(s)}` : quoteYamlString(s);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return string(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return yamlNumber(value, path);
  if (Array.isArray(value)) {
    return `[${value
      .map((v, i) => toYaml(v, { unsafe, path: `${path}[${i}]` }))
      .join(', ')}]`;
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries
      .map(
        ([k, v]) =>
          `${string(k)}: ${toYaml(v, { unsafe, path: `${path}.${k}` })}`,
      )
      .join(', ')}}`;
  }
  throw new InputError(
    `${path} cannot be passed to Ansible: only strings, numbers, booleans, null, lists and maps can`,
  );
}

function isPlainObject(value: object) {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
