/**
 * Splits a setField path into its keys: `image.tag` is `['image', 'tag']`,
 * `dependencies["lodash.merge"]` is `['dependencies', 'lodash.merge']`.
 * Numeric keys stay strings here; each format decides whether they index a
 * list. Throws a plain Error saying what is wrong with the path.
 */
export function parseFieldPath(path: string): string[] {
  const keys: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path.startsWith('["', i)) {
      const end = closingQuote(path, i + 2);
      if (end < 0 || path[end + 1] !== ']') {
        throw new Error(`the field path "${path}" has an unclosed ["...`);
      }
      keys.push(parseQuoted(path.slice(i + 1, end + 1), path));
      i = end + 2;
    } else {
      const bare = /^[^.[\]]+/.exec(path.slice(i));
      if (!bare) {
        throw new Error(`the field path "${path}" has an empty key`);
      }
      keys.push(bare[0]);
      i += bare[0].length;
    }
    if (i === path.length) break;
    if (path[i] === '.') {
      i += 1;
      if (i === path.length) {
        throw new Error(`the field path "${path}" ends with a dot`);
      }
    } else if (!path.startsWith('["', i)) {
      throw new Error(`the field path "${path}" has a stray "${path[i]}"`);
    }
  }
  return keys;
}

/** Whether a key is a list index (`0`, `12`). */
export function isIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}

function closingQuote(path: string, from: number): number {
  for (let i = from; i < path.length; i++) {
    if (path[i] === '\\') i += 1;
    else if (path[i] === '"') return i;
  }
  return -1;
}

function parseQuoted(quoted: string, path: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new Error(
      `the field path "${path}" has a badly escaped key ${quoted}`,
    );
  }
}

/** What setting a field in one file's text came to. */
export type FieldEdit =
  | { kind: 'changed'; text: string }
  | { kind: 'unchanged' }
  | { kind: 'skipped'; reason: string };

/** A value a setField step writes. */
export type FieldValue = string | number | boolean;
