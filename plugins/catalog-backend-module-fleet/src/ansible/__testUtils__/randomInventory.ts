/** A generated inventory: its files (relative path → text) and the source to hand Ansible. */
export interface GeneratedInventory {
  format: 'ini' | 'yaml';
  files: Record<string, string>;
  /** The inventory file within `files`. */
  source: string;
}

type Random = () => number;

const pick = <T>(r: Random, xs: readonly T[]): T =>
  xs[Math.floor(r() * xs.length)];
const chance = (r: Random, p: number) => r() < p;
const int = (r: Random, lo: number, hi: number) =>
  lo + Math.floor(r() * (hi - lo + 1));

const GROUPS = [
  'web',
  'db',
  'kafka',
  'kfk_prod',
  'mongo',
  'edge',
  'platform',
  'eu',
];
const KEYS = [
  'region',
  'engine',
  'y',
  'x',
  'level',
  'tier',
  'ansible_port',
  'flag',
];

/** INI values: Python literals, quoted strings, comments after values, broken literals. */
const INI_VALUES = [
  '15',
  '-3',
  '1.5',
  'tRuE',
  'True',
  'False',
  'None',
  'foo',
  'foo#bar',
  'foo #bar',
  '"x=y"',
  "'a b'",
  '"quoted # hash"',
  '[1,2,3]',
  '{broken',
  "{'a':1}",
  "{'a':[1,'x#y']}",
  '0x1F',
  '"\\$HOME"',
  'a\\ b',
  '"unicode ü"',
  '2294',
  '0',
];

/** YAML scalars and structures, including YAML 1.1 booleans Ansible reads. */
const YAML_VALUES = [
  '15',
  '1.5',
  'yes',
  'no',
  'true',
  'on',
  'foo',
  '"x=y"',
  "'a b'",
  '[1, 2, 3]',
  '{a: 1}',
  'null',
  '~',
  '"3.10"',
  '3.10',
  '0o17',
  '2294',
  '0',
  'foo # trailing comment',
];

function hostName(r: Random): string {
  const base = pick(r, ['web', 'db', 'kfk', 'mongo', 'edge']);
  const n = int(r, 1, 6);
  if (chance(r, 0.2)) return `${base}[${n}:${n + int(r, 0, 2)}].ex.com`;
  if (chance(r, 0.05)) return `${base}[a:c].ex.com`;
  if (chance(r, 0.05)) return `${base}[01:03].ex.com`;
  return `${base}${n}.ex.com`;
}

function withPort(r: Random, host: string): string {
  return chance(r, 0.25) ? `${host}:${pick(r, [22, 2294, 0, 8080])}` : host;
}

/** A random INI inventory, now and then broken in a way Ansible rejects. */
export function randomIniInventory(r: Random): GeneratedInventory {
  const groups = GROUPS.filter(() => chance(r, 0.6));
  if (!groups.length) groups.push('web');
  const lines: string[] = [];
  if (chance(r, 0.3))
    lines.push('# generated inventory', '; a semicolon comment');
  if (chance(r, 0.3))
    lines.push(`${hostName(r)} ${pick(r, KEYS)}=${pick(r, INI_VALUES)}`);
  for (const g of groups) {
    lines.push(chance(r, 0.1) ? `[${g}]  # hosts` : `[${g}]`);
    for (let i = int(r, 0, 3); i > 0; i--) {
      const vars = Array.from(
        { length: int(r, 0, 3) },
        () => `${pick(r, KEYS)}=${pick(r, INI_VALUES)}`,
      );
      const comment = chance(r, 0.15) ? ' # trailing comment' : '';
      lines.push(
        `${withPort(r, hostName(r))} ${vars.join(' ')}${comment}`.trim(),
      );
    }
    if (chance(r, 0.5)) {
      lines.push(`[${g}:vars]`);
      for (let i = int(r, 1, 3); i > 0; i--)
        lines.push(`${pick(r, KEYS)}=${pick(r, INI_VALUES)}`);
      if (chance(r, 0.2)) lines.push(`ansible_group_priority=${int(r, 1, 9)}`);
    }
  }
  // children: sometimes declared before the child group exists
  for (const parent of groups.filter(() => chance(r, 0.35))) {
    const kids = groups.filter(g => g !== parent && chance(r, 0.3));
    if (!kids.length) continue;
    const section = [`[${parent}:children]`, ...kids];
    if (chance(r, 0.3)) lines.unshift(...section, `[${kids[0]}]`);
    else lines.push(...section);
  }
  if (chance(r, 0.3))
    lines.push('[all:vars]', `${pick(r, KEYS)}=${pick(r, INI_VALUES)}`);
  if (chance(r, 0.08)) lines.push('[ghost:vars]', 'x=1');
  if (chance(r, 0.05)) lines.push(`[${groups[0]}:weird]`);
  if (chance(r, 0.05)) lines.push(`[${groups[0]}]`, 'bad.ex.com novalue');
  if (chance(r, 0.05)) lines.push(`[${groups[0]}]`, 'q.ex.com x="unclosed');
  if (chance(r, 0.05)) lines.push(`[${groups[0]}:children]`, 'undefined_group');
  const files: Record<string, string> = { hosts: `${lines.join('\n')}\n` };
  addVarsFiles(r, files, groups);
  return { format: 'ini', files, source: 'hosts' };
}

/** A random YAML inventory, with nested children and hosts in several groups. */
export function randomYamlInventory(r: Random): GeneratedInventory {
  const groups = GROUPS.filter(() => chance(r, 0.6));
  if (!groups.length) groups.push('web');
  const out = ['all:'];
  if (chance(r, 0.3))
    out.push('  vars:', `    ${pick(r, KEYS)}: ${pick(r, YAML_VALUES)}`);
  out.push('  children:');
  const block = (g: string, depth: number) => {
    const pad = '  '.repeat(depth);
    out.push(`${pad}${g}:`);
    const hosts = Array.from({ length: int(r, 0, 3) }, () =>
      withPort(r, hostName(r)),
    );
    if (hosts.length) {
      out.push(`${pad}  hosts:`);
      for (const h of hosts) {
        if (chance(r, 0.5)) {
          out.push(`${pad}    ${h}:`);
        } else {
          out.push(`${pad}    ${h}:`);
          out.push(`${pad}      ${pick(r, KEYS)}: ${pick(r, YAML_VALUES)}`);
        }
      }
    }
    if (chance(r, 0.6)) {
      out.push(`${pad}  vars:`);
      for (let i = int(r, 1, 3); i > 0; i--)
        out.push(`${pad}    ${pick(r, KEYS)}: ${pick(r, YAML_VALUES)}`);
      if (chance(r, 0.2))
        out.push(`${pad}    ansible_group_priority: ${int(r, 1, 9)}`);
    }
  };
  const top = groups.filter((_, i) => i === 0 || chance(r, 0.6));
  for (const g of top) {
    block(g, 2);
    const kids = groups.filter(
      k => k !== g && !top.includes(k) && chance(r, 0.5),
    );
    if (kids.length) {
      out.push(`      children:`);
      kids.forEach(k => block(k, 4));
    }
  }
  if (chance(r, 0.05)) out.push('  hosts: [not, a, mapping]');
  if (chance(r, 0.04))
    out.push('  children:', '    web: {hosts: {a.ex.com: [1]}}');
  const files: Record<string, string> = { 'hosts.yml': `${out.join('\n')}\n` };
  addVarsFiles(r, files, groups);
  return { format: 'yaml', files, source: 'hosts.yml' };
}

function addVarsFiles(
  r: Random,
  files: Record<string, string>,
  groups: string[],
) {
  for (const g of [...groups, 'all'].filter(() => chance(r, 0.25))) {
    files[`group_vars/${g}.yml`] = Array.from(
      { length: int(r, 1, 3) },
      () => `${pick(r, KEYS)}: ${pick(r, YAML_VALUES)}`,
    ).join('\n');
  }
  if (chance(r, 0.3)) {
    const host = `${pick(r, ['web', 'db', 'kfk'])}${int(r, 1, 3)}.ex.com`;
    files[`host_vars/${host}.yml`] = `${pick(r, KEYS)}: ${pick(
      r,
      YAML_VALUES,
    )}\n`;
  }
}
