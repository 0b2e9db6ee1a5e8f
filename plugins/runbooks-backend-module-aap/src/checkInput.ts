import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

// One host name or address, nothing Ansible would read as a pattern: no
// `*`, `!`, `&`, `~`, `:`, `,`, `[`, `@`, whitespace, nor a leading `-`.
const hostPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/;
// Groups every inventory has: naming one runs on every host.
const implicitGroups = ['all', 'ungrouped'];
const varNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const jinjaMarkers = ['{{', '{%', '{#'];

/**
 * The hosts a job is limited to: the step's `limit` (a list, or a string of
 * comma-separated names), else the target's `spec.nodes`, else its name.
 * Each must be one plain host name or address, as the value comes from
 * parameters and catalog data: `all` or `web*` would widen the job.
 */
export function limitHosts(
  limit: string | string[] | undefined,
  target: Entity,
): string[] {
  const nodes = (target.spec as { nodes?: unknown } | undefined)?.nodes;
  let hosts: string[];
  if (typeof limit === 'string') {
    hosts = limit.split(',').map(h => h.trim());
  } else if (limit) {
    hosts = limit;
  } else if (Array.isArray(nodes) && nodes.length) {
    hosts = nodes.map(String);
  } else {
    hosts = [target.metadata.name];
  }
  if (!hosts.length) throw new InputError('The limit names no host');
  for (const host of hosts) {
    if (
      !hostPattern.test(host) ||
      implicitGroups.includes(host.toLowerCase())
    ) {
      throw new InputError(
        `Invalid host '${host}' in the limit: give plain host names or addresses, not patterns or groups`,
      );
    }
  }
  return hosts;
}

/**
 * Refuses variable names that are not plain identifiers, and `ansible_*`:
 * extra vars override everything, and those change how Ansible connects
 * and what it runs (`ansible_ssh_common_args`, `ansible_become_exe`).
 */
export function assertVarNames(extraVars: Record<string, unknown>) {
  for (const name of Object.keys(extraVars)) {
    if (!varNamePattern.test(name) || name.startsWith('ansible_')) {
      throw new InputError(
        `Invalid extra var name '${name}': use a plain identifier not starting with ansible_`,
      );
    }
  }
}

/**
 * The path (`extraVars.a.b[0]`) of the first key or string in `value` that
 * holds a Jinja marker (`{{`, `{%`, `{#`), or undefined.
 */
export function findJinja(
  value: unknown,
  path = 'extraVars',
): string | undefined {
  const hasMarker = (s: string) => jinjaMarkers.some(m => s.includes(m));
  if (typeof value === 'string') return hasMarker(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findJinja(item, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (hasMarker(key)) return `${path} key '${key}'`;
      const found = findJinja(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}
