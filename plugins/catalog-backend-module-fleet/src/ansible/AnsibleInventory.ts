/** Variables of a group or host. */
export type Vars = Record<string, unknown>;

interface GroupState {
  name: string;
  vars: Vars;
  children: string[];
  parents: Set<string>;
  hosts: string[];
  priority: number;
  /** Where the group was declared, for error messages. */
  declaredIn: Set<string>;
}

interface HostState {
  name: string;
  vars: Vars;
  groups: Set<string>;
}

/**
 * An Ansible inventory held the way Ansible holds it (groups, hosts, parent
 * links, variables per layer), so that effective host variables come out with
 * Ansible's own precedence: `all` < groups by (depth, priority, name) <
 * group_vars/all < group_vars/<group> < host < host_vars/<host>.
 */
export class AnsibleInventory {
  private readonly groups = new Map<string, GroupState>();
  private readonly hosts = new Map<string, HostState>();
  /** Variables from `group_vars/` and `host_vars/` (the vars plugin layer). */
  readonly groupVarsFiles = new Map<string, Vars>();
  readonly hostVarsFiles = new Map<string, Vars>();
  private depths?: Map<string, number>;

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  addGroup(name: string, source?: string): void {
    let g = this.groups.get(name);
    if (!g) {
      g = {
        name,
        vars: {},
        children: [],
        parents: new Set(),
        hosts: [],
        priority: 1,
        declaredIn: new Set(),
      };
      this.groups.set(name, g);
    }
    if (source) g.declaredIn.add(source);
    this.depths = undefined;
  }

  hasGroup(name: string): boolean {
    return this.groups.has(name);
  }

  addChild(parent: string, child: string): void {
    if (parent === child) {
      throw new Error(`group '${child}' cannot be a child of itself`);
    }
    this.addGroup(parent);
    this.addGroup(child);
    if (this.ancestors(parent).has(child)) {
      throw new Error(
        `adding group '${child}' as child to '${parent}' creates a recursive dependency loop`,
      );
    }
    // A child is in its parent's list exactly when the parent is in the
    // child's set: the set answers in constant time where the list took one
    // look per sibling (quadratic in a group of 10,000 cluster groups).
    const c = this.groups.get(child)!;
    if (!c.parents.has(parent)) {
      this.groups.get(parent)!.children.push(child);
      c.parents.add(parent);
    }
    this.depths = undefined;
  }

  addHost(name: string, group: string, port?: number, source?: string): void {
    this.addGroup(group, source);
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, groups: new Set() };
      this.hosts.set(name, h);
      // As Ansible's Host(): the port counts only where the host first
      // appears, and only when it is not 0. A later `host:port` line leaves
      // the host without its own ansible_port, so a group's value applies.
      if (port) h.vars.ansible_port = port;
    }
    const g = this.groups.get(group)!;
    if (group !== 'all' && !h.groups.has(group)) {
      h.groups.add(group);
      g.hosts.push(name);
    }
  }

  setGroupVar(
    group: string,
    key: string,
    value: unknown,
    source?: string,
  ): void {
    this.addGroup(group, source);
    const g = this.groups.get(group)!;
    if (key === 'ansible_group_priority') {
      const n = Number(value);
      if (!Number.isInteger(n)) {
        throw new Error(
          `ansible_group_priority of group '${group}' must be an integer`,
        );
      }
      g.priority = n;
      this.depths = undefined;
      return;
    }
    g.vars[key] = value;
  }

  setHostVar(host: string, key: string, value: unknown): void {
    this.hosts.get(host)!.vars[key] = value;
  }

  /** Makes top-level groups children of `all` and lone hosts members of `ungrouped`, like Ansible's reconcile step. */
  reconcile(): void {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.size === 0)
        this.addChild('all', g.name);
    }
    const ungrouped = this.groups.get('ungrouped')!;
    for (const h of this.hosts.values()) {
      if (h.groups.has('ungrouped') && h.groups.size > 1) {
        h.groups.delete('ungrouped');
        ungrouped.hosts = ungrouped.hosts.filter(n => n !== h.name);
      } else if (h.groups.size === 0) {
        h.groups.add('ungrouped');
        ungrouped.hosts.push(h.name);
      }
    }
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  hostNames(): string[] {
    return [...this.hosts.keys()];
  }

  /** Direct children of a group. */
  childrenOf(group: string): string[] {
    return this.groups.get(group)?.children ?? [];
  }

  /** Hosts listed directly in a group. */
  directHostsOf(group: string): string[] {
    return this.groups.get(group)?.hosts ?? [];
  }

  /** Hosts of a group and of all its descendants, in declaration order. */
  hostsOf(group: string): string[] {
    const out = new Set<string>();
    const visit = (name: string, seen: Set<string>) => {
      if (seen.has(name)) return;
      seen.add(name);
      const g = this.groups.get(name);
      if (!g) return;
      g.hosts.forEach(h => out.add(h));
      g.children.forEach(c => visit(c, seen));
    };
    visit(group, new Set());
    return [...out];
  }

  /** Files that gave a group hosts or variables (for duplicate detection). */
  sourcesOf(group: string): string[] {
    return [...(this.groups.get(group)?.declaredIn ?? [])];
  }

  ancestors(group: string): Set<string> {
    const out = new Set<string>();
    const stack = [...(this.groups.get(group)?.parents ?? [])];
    while (stack.length) {
      const p = stack.pop()!;
      if (out.has(p)) continue;
      out.add(p);
      stack.push(...(this.groups.get(p)?.parents ?? []));
    }
    return out;
  }

  private depth(group: string): number {
    if (!this.depths) {
      // Depth is the longest path from `all`, as Ansible's _check_children_depth keeps it.
      const depths = new Map<string, number>();
      const walk = (name: string, d: number) => {
        if ((depths.get(name) ?? -1) >= d) return;
        depths.set(name, d);
        for (const c of this.groups.get(name)!.children) walk(c, d + 1);
      };
      walk('all', 0);
      this.depths = depths;
    }
    return this.depths.get(group) ?? 0;
  }

  private sortGroups(names: Iterable<string>): string[] {
    return [...names].sort((a, b) => {
      const ga = this.groups.get(a)!;
      const gb = this.groups.get(b)!;
      return (
        this.depth(a) - this.depth(b) ||
        ga.priority - gb.priority ||
        (a < b ? -1 : Number(a > b))
      );
    });
  }

  /** Groups a host belongs to, directly or through parents, without `all`, in precedence order. */
  groupsOfHost(host: string): string[] {
    const h = this.hosts.get(host);
    if (!h) return [];
    const all = new Set<string>();
    for (const g of h.groups) {
      all.add(g);
      this.ancestors(g).forEach(a => all.add(a));
    }
    all.delete('all');
    return this.sortGroups(all);
  }

  /** The variables a play would see for a host (Ansible's default VARIABLE_PRECEDENCE). */
  hostVars(host: string): Vars {
    const h = this.hosts.get(host);
    if (!h) throw new Error(`unknown host '${host}'`);
    const groups = this.groupsOfHost(host);
    return Object.assign(
      {},
      this.groups.get('all')!.vars,
      ...groups.map(g => this.groups.get(g)!.vars),
      this.groupVarsFiles.get('all') ?? {},
      ...groups.map(g => this.groupVarsFiles.get(g) ?? {}),
      h.vars,
      this.hostVarsFiles.get(host) ?? {},
    );
  }

  /**
   * The variables of a group as its hosts see them, without any host's own:
   * used to read cluster settings from a group that has no hosts yet.
   */
  groupVars(group: string): Vars {
    const chain = this.sortGroups(
      [...this.ancestors(group), group].filter(g => g !== 'all'),
    );
    return Object.assign(
      {},
      this.groups.get('all')!.vars,
      ...chain.map(g => this.groups.get(g)!.vars),
      this.groupVarsFiles.get('all') ?? {},
      ...chain.map(g => this.groupVarsFiles.get(g) ?? {}),
    );
  }

  /** A group's own variables (its inventory vars and its group_vars file), without inherited ones. */
  ownGroupVars(group: string): Vars {
    return {
      ...(this.groups.get(group)?.vars ?? {}),
      ...(this.groupVarsFiles.get(group) ?? {}),
    };
  }

  /** The same JSON document `ansible-inventory --list` prints. */
  toListJson(): Record<string, any> {
    const out: Record<string, any> = { _meta: { hostvars: {} } };
    for (const name of this.hosts.keys()) {
      const vars = this.hostVars(name);
      if (Object.keys(vars).length) out._meta.hostvars[name] = vars;
    }
    for (const g of this.groups.values()) {
      const entry: Record<string, string[]> = {};
      if (g.name !== 'all' && g.hosts.length) entry.hosts = [...g.hosts];
      if (g.children.length) entry.children = [...g.children];
      if (Object.keys(entry).length) out[g.name] = entry;
    }
    return out;
  }
}
