import { AnsibleInventory } from './AnsibleInventory';
import { expandHostPattern } from './hostPattern';
import { InventoryParseError } from './InventoryParseError';
import { parseIniValue } from './pythonLiteral';
import { shlexSplit } from './shlexSplit';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

/** Reads an INI inventory into `inventory`, with Ansible's INI plugin's rules and errors. */
export function parseIniInventory(
  inventory: AnsibleInventory,
  file: string,
  text: string,
): void {
  const fail = (line: number, detail: string) =>
    new InventoryParseError(file, line, detail);
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state = 'hosts';
  const lines = text.split(/\r?\n/);
  for (const [index, rawLine] of lines.entries()) {
    const lineNo = index + 1;
    const line = rawLine.trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;

    const section = SECTION.exec(line);
    if (section) {
      group = section[1];
      state = section[2] ?? 'hosts';
      if (!['hosts', 'children', 'vars'].includes(state)) {
        throw fail(
          lineNo,
          `Section [${section[1]}:${state}] has unknown type: ${state}`,
        );
      }
      if (
        !inventory.hasGroup(group) &&
        state === 'vars' &&
        !pending.has(group)
      ) {
        pending.set(group, { line: lineNo, state: 'vars', parents: [] });
      }
      inventory.addGroup(group);
      const p = pending.get(group);
      if (p && state !== 'vars') {
        if (p.state === 'children') resolvePending(inventory, group, pending);
        else pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      throw fail(
        lineNo,
        `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`,
      );
    }

    if (state === 'hosts') {
      let tokens: string[];
      try {
        tokens = shlexSplit(line);
      } catch (e) {
        throw fail(
          lineNo,
          `Error parsing host definition '${line}': ${(e as Error).message}`,
        );
      }
      if (tokens.length === 0) continue;
      let expanded: { hosts: string[]; port?: number };
      try {
        expanded = expandHostPattern(tokens[0]);
      } catch (e) {
        throw fail(lineNo, (e as Error).message);
      }
      const vars: Record<string, unknown> = {};
      for (const t of tokens.slice(1)) {
        const eq = t.indexOf('=');
        if (eq < 0)
          throw fail(
            lineNo,
            `Expected key=value host variable assignment, got: ${t}`,
          );
        vars[t.slice(0, eq)] = parseIniValue(t.slice(eq + 1));
      }
      for (const host of expanded.hosts) {
        inventory.addHost(host, group, expanded.port, file);
        for (const [k, v] of Object.entries(vars))
          inventory.setHostVar(host, k, v);
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) throw fail(lineNo, `Expected key=value, got: ${line}`);
      try {
        inventory.setGroupVar(
          group,
          line.slice(0, eq).trim(),
          parseIniValue(line.slice(eq + 1).trim()),
          file,
        );
      } catch (e) {
        throw fail(lineNo, (e as Error).message);
      }
    } else {
      const m = GROUP_NAME.exec(line);
      if (!m) throw fail(lineNo, `Expected group name, got: ${line}`);
      const child = m[1];
      if (!inventory.hasGroup(child)) {
        const p = pending.get(child);
        if (p) p.parents.push(group);
        else
          pending.set(child, {
            line: lineNo,
            state: 'children',
            parents: [group],
          });
      } else {
        try {
          inventory.addChild(group, child);
        } catch (e) {
          throw fail(lineNo, (e as Error).message);
        }
      }
    }
  }

  for (const [name, p] of pending) {
    if (p.state === 'vars') {
      throw fail(
        p.line,
        `Section [${name}:vars] not valid for undefined group: ${name}`,
      );
    }
    throw fail(
      p.line,
      `Section [${
        p.parents[p.parents.length - 1]
      }:children] includes undefined group: ${name}`,
    );
  }
}

function resolvePending(
  inventory: AnsibleInventory,
  group: string,
  pending: Map<string, Pending>,
) {
  const p = pending.get(group)!;
  for (const parent of p.parents) {
    inventory.addChild(parent, group);
    if (pending.get(parent)?.state === 'children') {
      resolvePending(inventory, parent, pending);
    }
  }
  pending.delete(group);
}
