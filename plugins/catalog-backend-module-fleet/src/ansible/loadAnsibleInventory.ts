import { posix } from 'node:path';
import { AnsibleInventory } from './AnsibleInventory';
import { InventoryParseError } from './InventoryParseError';
import { parseIniInventory } from './parseIniInventory';
import { parseYamlInventory } from './parseYamlInventory';
import { loadVarsFile } from './parseYamlVars';

/**
 * The files of an inventory, read from disk or through the UrlReader, keyed by
 * POSIX path relative to the tree's root.
 */
export interface InventoryTree {
  files: Map<string, string>;
  /** The inventory source inside the tree: a file, or a directory ('' for the root). */
  source: string;
}

// Ansible's INVENTORY_IGNORE_EXTS and IGNORED_ALWAYS for directory sources.
const IGNORED_EXTS = [
  '.pyc',
  '.pyo',
  '.swp',
  '.bak',
  '~',
  '.rpm',
  '.md',
  '.txt',
  '.rst',
  '.orig',
  '.ini',
  '.cfg',
  '.retry',
];
const IGNORED_NAMES = /^(\.|host_vars$|group_vars$|vars_plugins$)/;
const YAML_EXTS = ['.yml', '.yaml', '.json'];

function isDir(tree: InventoryTree, path: string): boolean {
  const prefix = path === '' ? '' : `${path}/`;
  for (const key of tree.files.keys())
    if (key.startsWith(prefix)) return !tree.files.has(path);
  return false;
}

function listDir(tree: InventoryTree, dir: string): string[] {
  const prefix = dir === '' ? '' : `${dir}/`;
  const names = new Set<string>();
  for (const key of tree.files.keys()) {
    if (key.startsWith(prefix))
      names.add(key.slice(prefix.length).split('/')[0]);
  }
  return [...names].sort();
}

function parseFile(
  inventory: AnsibleInventory,
  path: string,
  text: string,
  warn: (m: string) => void,
) {
  const ext = posix.extname(path);
  if (YAML_EXTS.includes(ext)) {
    parseYamlInventory(inventory, path, text, warn);
  } else if (ext) {
    parseIniInventory(inventory, path, text);
  } else {
    // No extension: Ansible tries the YAML plugin first, then INI.
    const trial = new AnsibleInventory();
    try {
      parseYamlInventory(trial, path, text, () => {});
    } catch {
      parseIniInventory(inventory, path, text);
      return;
    }
    parseYamlInventory(inventory, path, text, warn);
  }
}

function parseSource(
  inventory: AnsibleInventory,
  tree: InventoryTree,
  path: string,
  warn: (m: string) => void,
) {
  if (isDir(tree, path)) {
    for (const name of listDir(tree, path)) {
      if (IGNORED_NAMES.test(name) || IGNORED_EXTS.some(e => name.endsWith(e)))
        continue;
      parseSource(inventory, tree, path ? `${path}/${name}` : name, warn);
    }
    return;
  }
  const text = tree.files.get(path);
  if (text === undefined) {
    throw new InventoryParseError(
      path || '.',
      undefined,
      'inventory source not found',
    );
  }
  parseFile(inventory, path, text, warn);
}

/** Files holding vars for `name` under `dir` (group_vars or host_vars), like DataLoader.find_vars_files. */
function findVarsFiles(
  tree: InventoryTree,
  dir: string,
  name: string,
): string[] {
  for (const ext of ['', ...YAML_EXTS]) {
    const full = `${dir}/${name}${ext}`;
    if (tree.files.has(full)) return [full];
    if (ext === '' && isDir(tree, full)) {
      const found: string[] = [];
      const walk = (d: string) => {
        for (const entry of listDir(tree, d)) {
          if (entry.startsWith('.') || entry.endsWith('~')) continue;
          const p = `${d}/${entry}`;
          const e = posix.extname(entry);
          if (!tree.files.has(p) && !e) walk(p);
          else if (tree.files.has(p) && (!e || YAML_EXTS.includes(e)))
            found.push(p);
        }
      };
      walk(full);
      return found;
    }
  }
  return [];
}

function loadVars(
  tree: InventoryTree,
  files: string[],
): Record<string, unknown> | undefined {
  if (!files.length) return undefined;
  return Object.assign(
    {},
    ...files.map(f => loadVarsFile(f, tree.files.get(f)!)),
  );
}

/**
 * Builds an inventory from a tree the way `ansible-inventory -i <source>` does:
 * every file of a directory source (Ansible's ignore rules), then the
 * `group_vars/` and `host_vars/` next to the source.
 */
export function loadAnsibleInventory(
  tree: InventoryTree,
  warn: (message: string) => void = () => {},
): AnsibleInventory {
  const inventory = new AnsibleInventory();
  parseSource(inventory, tree, tree.source, warn);
  inventory.reconcile();
  const base = isDir(tree, tree.source)
    ? tree.source
    : posix.dirname(tree.source);
  const root = base === '.' ? '' : base;
  const gvDir = root ? `${root}/group_vars` : 'group_vars';
  const hvDir = root ? `${root}/host_vars` : 'host_vars';
  for (const group of inventory.groupNames()) {
    const vars = loadVars(tree, findVarsFiles(tree, gvDir, group));
    if (vars) inventory.groupVarsFiles.set(group, vars);
  }
  for (const host of inventory.hostNames()) {
    const vars = loadVars(tree, findVarsFiles(tree, hvDir, host));
    if (vars) inventory.hostVarsFiles.set(host, vars);
  }
  return inventory;
}
