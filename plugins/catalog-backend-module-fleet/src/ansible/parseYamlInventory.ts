import { AnsibleInventory } from './AnsibleInventory';
import { expandHostPattern } from './hostPattern';
import { InventoryParseError } from './InventoryParseError';
import { loadYaml } from './parseYamlVars';

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a YAML inventory into `inventory`, with Ansible's YAML plugin's rules. */
export function parseYamlInventory(
  inventory: AnsibleInventory,
  file: string,
  text: string,
  warn: (message: string) => void = () => {},
): void {
  const data = loadYaml(file, text);
  const fail = (detail: string) =>
    new InventoryParseError(file, undefined, detail);
  if (data === null || data === undefined || data === '')
    throw fail('Parsed empty YAML file');
  if (!isMapping(data)) {
    throw fail(
      `YAML inventory has invalid structure, it should be a dictionary, got: ${
        Array.isArray(data) ? 'list' : typeof data
      }`,
    );
  }
  if (data.plugin)
    throw fail('Plugin configuration YAML file, not YAML inventory');

  const parseGroup = (name: string, groupData: unknown): string => {
    if (
      !isMapping(groupData) &&
      groupData !== null &&
      groupData !== undefined
    ) {
      warn(
        `${file}: skipping '${name}' as this is not a valid group definition`,
      );
      return name;
    }
    inventory.addGroup(name);
    if (!groupData) return name;
    for (const section of ['vars', 'children', 'hosts']) {
      let value = groupData[section];
      if (typeof value === 'string')
        value = groupData[section] = { [value]: null };
      if (value !== undefined && value !== null && !isMapping(value)) {
        throw fail(
          `Invalid "${section}" entry for "${name}" group, requires a dictionary, found "${
            Array.isArray(value) ? 'list' : typeof value
          }" instead.`,
        );
      }
    }
    for (const [key, value] of Object.entries(groupData)) {
      if (value === null || value === undefined) continue;
      if (!isMapping(value)) {
        warn(
          `${file}: skipping key (${key}) in group (${name}) as it is not a mapping`,
        );
        continue;
      }
      if (key === 'vars') {
        for (const [k, v] of Object.entries(value)) {
          try {
            inventory.setGroupVar(name, k, v, file);
          } catch (e) {
            throw fail((e as Error).message);
          }
        }
      } else if (key === 'children') {
        for (const [sub, subData] of Object.entries(value)) {
          parseGroup(sub, subData);
          try {
            inventory.addChild(name, sub);
          } catch (e) {
            throw fail((e as Error).message);
          }
        }
      } else if (key === 'hosts') {
        for (const [pattern, hostVars] of Object.entries(value)) {
          let expanded: { hosts: string[]; port?: number };
          try {
            expanded = expandHostPattern(pattern);
          } catch (e) {
            throw fail((e as Error).message);
          }
          if (
            hostVars !== null &&
            hostVars !== undefined &&
            !isMapping(hostVars)
          ) {
            throw fail(
              `Invalid variables for host '${pattern}' in group '${name}': requires a dictionary`,
            );
          }
          for (const host of expanded.hosts) {
            inventory.addHost(host, name, expanded.port, file);
            for (const [k, v] of Object.entries(hostVars ?? {})) {
              inventory.setHostVar(host, k, v);
            }
          }
        }
      } else {
        warn(
          `${file}: skipping unexpected key (${key}) in group (${name}), only "vars", "children" and "hosts" are valid`,
        );
      }
    }
    return name;
  };

  for (const [name, groupData] of Object.entries(data))
    parseGroup(name, groupData);
}
