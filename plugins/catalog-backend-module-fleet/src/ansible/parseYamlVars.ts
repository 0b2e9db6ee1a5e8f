import { parseDocument } from 'yaml';
import { InventoryParseError } from './InventoryParseError';

/**
 * Parses YAML the way Ansible's loader (PyYAML, YAML 1.1) reads it: `yes`/`no`
 * are booleans, `3.5` is a number, merge keys work.
 */
export function loadYaml(file: string, text: string): unknown {
  const doc = parseDocument(text, {
    version: '1.1',
    merge: true,
    prettyErrors: true,
    uniqueKeys: false,
  });
  if (doc.errors.length) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line;
    throw new InventoryParseError(
      file,
      line,
      `invalid YAML: ${err.message.split('\n')[0]}`,
    );
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

/** Reads a group_vars / host_vars file (YAML or JSON) that must hold a mapping. */
export function loadVarsFile(
  file: string,
  text: string,
): Record<string, unknown> {
  const data = loadYaml(file, text);
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new InventoryParseError(
      file,
      undefined,
      `vars file must hold a mapping of variable names to values, got ${
        Array.isArray(data) ? 'a list' : typeof data
      }`,
    );
  }
  return data as Record<string, unknown>;
}
