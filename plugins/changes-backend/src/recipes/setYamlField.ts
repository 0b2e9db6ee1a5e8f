import {
  Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  Scalar,
  YAMLMap,
} from 'yaml';
import { FieldEdit, FieldValue, isIndex } from './fieldPath';

type Located =
  | { kind: 'scalar'; node: Scalar; inFlow: boolean }
  | { kind: 'missing'; map?: YAMLMap; rest: string[] }
  | { kind: 'blocked'; reason: string };

/**
 * Sets a field in YAML text. An existing value is replaced in place, so the
 * rest of the file (comments, quotes, indentation) stays byte for byte; a
 * created field goes through the `yaml` library's printer. Every document of
 * a multi-document file that holds the field is changed.
 */
export function setYamlField(
  source: string,
  keys: string[],
  value: FieldValue,
  create: boolean,
): FieldEdit {
  const docs = Array.from(parseAllDocuments(source));
  const broken = docs.find(doc => doc.errors.length > 0);
  if (broken) {
    return {
      kind: 'skipped',
      reason: `unparsable YAML: ${broken.errors[0].message}`,
    };
  }
  const found = docs.map(doc => locate(doc.contents, keys));
  const blocked = found.find(f => f.kind === 'blocked');
  if (blocked?.kind === 'blocked') {
    return { kind: 'skipped', reason: blocked.reason };
  }
  const scalars = found.flatMap(f => (f.kind === 'scalar' ? [f] : []));
  if (scalars.length > 0) return replaceScalars(source, docs, scalars, value);
  if (!create) return { kind: 'unchanged' };
  if (docs.length > 1) {
    return {
      kind: 'skipped',
      reason: 'creating a field needs a single-document YAML file',
    };
  }
  const doc = docs[0] ?? new Document();
  const missing = found[0];
  const scalar = newScalar(value, undefined, false).node;
  if (missing?.kind === 'missing' && missing.map) {
    missing.map.setIn(missing.rest, scalar);
  } else {
    doc.setIn(keys, scalar);
  }
  return { kind: 'changed', text: doc.toString(printOptions(source)) };
}

function replaceScalars(
  source: string,
  docs: Document.Parsed[],
  scalars: { node: Scalar; inFlow: boolean }[],
  value: FieldValue,
): FieldEdit {
  const edits = scalars
    .filter(({ node }) => node.value !== value && node.range)
    .map(({ node, inFlow }) => {
      const [start, end] = node.range ?? [0, 0];
      const old = source.slice(start, end);
      let text = newScalar(value, node.type, inFlow).text;
      if (start === end) text = ` ${text}`; // `key:` with no value yet
      if (/\n$/.test(old)) text += '\n'; // a block scalar ends with its line break
      // The parsed documents now describe what the edited text must mean.
      node.value = value;
      return { start, end, text };
    })
    .sort((a, b) => b.start - a.start);
  if (edits.length === 0) return { kind: 'unchanged' };
  let text = source;
  for (const edit of edits) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  // The splice must mean exactly "the old documents with this one value
  // changed"; anything else (an odd tag, a flow context we misread) is left alone.
  return sameData(docs, text)
    ? { kind: 'changed', text }
    : {
        kind: 'skipped',
        reason: 'the field could not be changed without altering other YAML',
      };
}

function locate(contents: unknown, keys: string[]): Located {
  let node: unknown = contents;
  let inFlow = false;
  for (const [i, key] of keys.entries()) {
    const where = keys.slice(0, i).join('.') || 'the document';
    if (isCollection(node) && node.flow) inFlow = true;
    if (isMap(node)) {
      const pair = node.items.find(
        p => isScalar(p.key) && String(p.key.value) === key,
      );
      if (!pair) return { kind: 'missing', map: node, rest: keys.slice(i) };
      node = pair.value;
    } else if (isSeq(node) && isIndex(key)) {
      node = node.items[Number(key)];
      if (node === undefined) {
        return { kind: 'blocked', reason: `${where} has no item ${key}` };
      }
    } else if (node === null && i === 0) {
      return { kind: 'missing', rest: keys };
    } else {
      return { kind: 'blocked', reason: `${where} is not a mapping` };
    }
  }
  if (isScalar(node)) return { kind: 'scalar', node, inFlow };
  return {
    kind: 'blocked',
    reason: `${keys.join('.')} holds ${describe(node)}, not a single value`,
  };
}

function describe(node: unknown): string {
  if (isAlias(node)) return 'an alias';
  return isMap(node) ? 'a mapping' : 'a list';
}

/**
 * A scalar for `value` and its one-line source. Strings keep the old quote
 * style, are quoted where YAML 1.1 readers (Helm, older tools) would read
 * them as something else (`yes`, `0777`), and are double-quoted when they
 * hold line breaks or sit in a flow collection, so they are always literal.
 */
function newScalar(
  value: FieldValue,
  oldType: Scalar['type'],
  inFlow: boolean,
): { node: Scalar; text: string } {
  const node = new Scalar(value);
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u001f\u007f]/.test(value);
    if (inFlow || control) {
      node.type = 'QUOTE_DOUBLE';
    } else if (oldType === 'QUOTE_DOUBLE' || oldType === 'QUOTE_SINGLE') {
      node.type = oldType;
    }
  }
  const text = new Document(node, { version: '1.1' })
    .toString({ lineWidth: 0, doubleQuotedAsJSON: true })
    .replace(/\n$/, '');
  if (text.startsWith('"')) node.type = 'QUOTE_DOUBLE';
  else if (text.startsWith("'")) node.type = 'QUOTE_SINGLE';
  return { node, text };
}

function sameData(expected: Document.Parsed[], text: string): boolean {
  try {
    const actual = Array.from(parseAllDocuments(text));
    return (
      actual.length === expected.length &&
      actual.every(
        (doc, i) =>
          doc.errors.length === 0 &&
          JSON.stringify(doc.toJS()) === JSON.stringify(expected[i].toJS()),
      )
    );
  } catch {
    return false;
  }
}

/** Printer options that follow the file's own indentation and list style. */
function printOptions(source: string) {
  const indent = /^( +)\S/m.exec(source)?.[1].length ?? 2;
  const unindentedLists = /^( *)[^\s#-][^\n]*:[ \t]*\n\1- /m.test(source);
  return {
    lineWidth: 0,
    indent: Math.min(indent, 8),
    indentSeq: !unindentedLists,
  };
}
