import { promises as fs } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { InventoryTree } from './loadAnsibleInventory';

/** Refuses inventories bigger than this many bytes (all files together). */
export const DEFAULT_MAX_INVENTORY_BYTES = 20 * 1024 * 1024;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

class SizeBudget {
  private used = 0;
  constructor(private readonly limit: number, private readonly label: string) {}
  take(bytes: number, file: string) {
    this.used += bytes;
    if (this.used > this.limit) {
      throw new InputError(
        `inventory ${this.label} is larger than the limit of ${mb(
          this.limit,
        )} (reached at ${file}); raise maxInventorySize if this is intended`,
      );
    }
  }
}

async function walk(dir: string, out: string[]) {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

/**
 * Reads an inventory from the local disk: a file (with the group_vars/ and
 * host_vars/ beside it) or a directory.
 */
export async function readInventoryFromPath(
  path: string,
  maxBytes = DEFAULT_MAX_INVENTORY_BYTES,
): Promise<InventoryTree> {
  const stat = await fs.stat(path).catch(e => {
    throw new InputError(
      `inventory ${path} cannot be read: ${e.code ?? e.message}`,
    );
  });
  const root = stat.isDirectory() ? path : dirname(path);
  const budget = new SizeBudget(maxBytes, path);
  const candidates: string[] = [];
  if (stat.isDirectory()) {
    await walk(root, candidates);
  } else {
    candidates.push(path);
    for (const sub of ['group_vars', 'host_vars']) {
      const d = join(root, sub);
      if (
        await fs.stat(d).then(
          s => s.isDirectory(),
          () => false,
        )
      )
        await walk(d, candidates);
    }
  }
  const files = new Map<string, string>();
  for (const file of candidates) {
    const size = (await fs.stat(file)).size;
    budget.take(size, file);
    files.set(
      relative(root, file).split(sep).join('/'),
      await fs.readFile(file, 'utf8'),
    );
  }
  return { files, source: stat.isDirectory() ? '' : basename(path) };
}

/**
 * Reads an inventory through the UrlReader: a single file URL, or, when
 * `directory` is set, a whole tree (for group_vars/ and host_vars/).
 */
export async function readInventoryFromUrl(
  reader: UrlReaderService,
  url: string,
  options: {
    directory?: boolean;
    maxBytes?: number;
    signal?: AbortSignal;
  } = {},
): Promise<InventoryTree> {
  const budget = new SizeBudget(
    options.maxBytes ?? DEFAULT_MAX_INVENTORY_BYTES,
    url,
  );
  const files = new Map<string, string>();
  if (options.directory) {
    const tree = await reader.readTree(url, { signal: options.signal });
    for (const file of await tree.files()) {
      const content = await file.content();
      budget.take(content.length, file.path);
      files.set(file.path, content.toString('utf8'));
    }
    return { files, source: '' };
  }
  const response = await reader.readUrl(url, { signal: options.signal });
  const content = await response.buffer();
  budget.take(content.length, url);
  const name = basename(new URL(url).pathname) || 'inventory';
  files.set(name, content.toString('utf8'));
  return { files, source: name };
}
