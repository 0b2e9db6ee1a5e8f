import {
  applyEdits,
  findNodeAtLocation,
  FormattingOptions,
  modify,
  Node,
  parseTree,
  ParseError,
  printParseErrorCode,
  Segment,
} from 'jsonc-parser';
import { FieldEdit, FieldValue, isIndex } from './fieldPath';

/**
 * Sets a field in JSON text (comments and trailing commas allowed, as in
 * tsconfig.json). Only the value's own text changes, or for a created field
 * the lines it needs, in the file's indentation and line endings.
 */
export function setJsonField(
  source: string,
  keys: string[],
  value: FieldValue,
  create: boolean,
): FieldEdit {
  const errors: ParseError[] = [];
  const root = parseTree(source, errors, { allowTrailingComma: true });
  if (errors.length > 0 || !root) {
    const first = errors[0];
    const why = first
      ? `${printParseErrorCode(first.error)} at offset ${first.offset}`
      : 'empty file';
    return { kind: 'skipped', reason: `unparsable JSON: ${why}` };
  }
  const path: Segment[] = [];
  let node: Node | undefined = root;
  for (const [i, key] of keys.entries()) {
    const where = keys.slice(0, i).join('.') || 'the document';
    if (node.type === 'object') {
      path.push(key);
      node = findNodeAtLocation(node, [key]);
      if (!node)
        return create
          ? edit(source, [...path, ...keys.slice(i + 1)], value)
          : { kind: 'unchanged' };
    } else if (node.type === 'array' && isIndex(key)) {
      path.push(Number(key));
      node = node.children?.[Number(key)];
      if (!node)
        return { kind: 'skipped', reason: `${where} has no item ${key}` };
    } else {
      return { kind: 'skipped', reason: `${where} is not an object` };
    }
  }
  if (node.type === 'object' || node.type === 'array') {
    return {
      kind: 'skipped',
      reason: `${keys.join('.')} holds an ${node.type}, not a single value`,
    };
  }
  return node.value === value
    ? { kind: 'unchanged' }
    : edit(source, path, value);
}

function edit(source: string, path: Segment[], value: FieldValue): FieldEdit {
  const edits = modify(source, path, value, {
    formattingOptions: formattingOf(source),
  });
  return { kind: 'changed', text: applyEdits(source, edits) };
}

/** The file's own indentation and line ending, for the lines a new field adds. */
function formattingOf(source: string): FormattingOptions {
  const indent = /^([ \t]+)["}\]]/m.exec(source)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: source.includes('\r\n') ? '\r\n' : '\n',
  };
}
