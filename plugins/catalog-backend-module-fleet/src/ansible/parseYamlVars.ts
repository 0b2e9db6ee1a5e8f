import { parseDocument, ScalarTag } from 'yaml';
import { InventoryParseError } from './InventoryParseError';

// PyYAML's YAML 1.1 booleans: `y`, `Y`, `n` and `N` are strings there, not
// booleans as in the yaml package's 1.1 schema (a key `y:` stays "y").
const PY_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PY_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

function pyYamlBooleans(tags: unknown[]): unknown[] {
  return tags.map(t => {
    const tag = t as ScalarTag;
    if (tag.tag !== 'tag:yaml.org,2002:bool' || !tag.test) return t;
    const truthy = tag.test.test('true');
    return { ...tag, test: truthy ? PY_TRUE : PY_FALSE };
  });
}

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
    customTags: tags => pyYamlBooleans(tags) as typeof tags,
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
