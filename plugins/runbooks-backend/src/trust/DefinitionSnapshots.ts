import { UrlReaderService } from '@backstage/backend-plugin-api';
import { ANNOTATION_LOCATION, Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { execFile } from 'child_process';
import { createHash } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { lstat, readdir, readFile } from 'fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'path';
import { fileURLToPath } from 'url';

/** A runbook folder's files as a run pins them. */
export interface DefinitionSnapshot {
  /** `sha256:<hex>` of the sorted paths and contents. */
  digest: string;
  /** The git commit they came from, where the source is a git repository. */
  commit?: string;
  /** The folder they were read from. */
  source: string;
  files: Map<string, Buffer>;
}

const MAX_FILES = 500;
const MAX_BYTES = 10 * 1024 * 1024;
const SKIPPED = new Set(['.git', 'node_modules']);

function git(args: string[], cwd: string): Promise<string | undefined> {
  return new Promise(resolve =>
    execFile(
      'git',
      args,
      { cwd, timeout: 10_000, env: { PATH: process.env.PATH ?? '' } },
      (error, stdout) => resolve(error ? undefined : stdout.trim()),
    ),
  );
}

export function digestOf(files: Map<string, Buffer>): string {
  const hash = createHash('sha256');
  for (const path of [...files.keys()].sort()) {
    const content = files.get(path)!;
    hash.update(`${path}\0${content.length}\0`).update(content);
  }
  return `sha256:${hash.digest('hex')}`;
}

/** A path inside a snapshot: relative, no `..`, no absolute paths. */
function safePath(path: string): string | undefined {
  const normalized = normalize(path).split(sep).join('/');
  if (
    !normalized ||
    isAbsolute(normalized) ||
    normalized.split('/').includes('..')
  ) {
    return undefined;
  }
  return normalized;
}

function limits(where: string, count: number, bytes: number) {
  if (count > MAX_FILES || bytes > MAX_BYTES) {
    throw new InputError(
      `The runbook's folder ${where} holds more than ${MAX_FILES} files or ${
        MAX_BYTES / 1024 / 1024
      } MB: keep a runbook next to its playbooks in a folder of its own`,
    );
  }
}

/**
 * Pins what a run executes: the folder the Runbook entity was read from
 * (its playbooks, roles and vars files), read once when the run starts and
 * kept with the run. Workers execute from the pinned copy, so a push to the
 * runbook's repository during a run changes nothing.
 */
export class DefinitionSnapshots {
  constructor(private readonly urlReader: UrlReaderService) {}

  async snapshot(runbook: Entity): Promise<DefinitionSnapshot> {
    const location = runbook.metadata.annotations?.[ANNOTATION_LOCATION];
    const index = location?.indexOf(':') ?? -1;
    if (!location || index < 0) {
      throw new InputError(
        'The runbook has no catalog location to read its files from',
      );
    }
    const type = location.slice(0, index);
    const target = location.slice(index + 1);
    if (type === 'file') {
      const file = target.startsWith('file:') ? fileURLToPath(target) : target;
      return this.fromDirectory(dirname(file));
    }
    if (type === 'url') return this.fromUrl(new URL('./', target).href);
    throw new InputError(`Cannot read runbooks from '${type}' locations`);
  }

  private async fromDirectory(root: string): Promise<DefinitionSnapshot> {
    const files = new Map<string, Buffer>();
    let bytes = 0;
    const walk = async (dir: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (SKIPPED.has(entry.name)) continue;
        const full = join(dir, entry.name);
        // symbolic links could point anywhere on the host: not part of a runbook
        const stat = await lstat(full);
        if (stat.isDirectory()) await walk(full);
        else if (stat.isFile()) {
          const content = await readFile(full);
          bytes += content.length;
          files.set(relative(root, full).split(sep).join('/'), content);
          limits(root, files.size, bytes);
        }
      }
    };
    await walk(root);
    let commit = await git(['rev-parse', 'HEAD'], root);
    if (commit && (await git(['status', '--porcelain', '--', '.'], root))) {
      commit = `${commit} (with uncommitted changes)`;
    }
    return { digest: digestOf(files), commit, source: root, files };
  }

  private async fromUrl(url: string): Promise<DefinitionSnapshot> {
    const tree = await this.urlReader.readTree(url);
    const files = new Map<string, Buffer>();
    let bytes = 0;
    for (const file of await tree.files()) {
      const path = safePath(file.path);
      if (!path) continue;
      const content = await file.content();
      bytes += content.length;
      files.set(path, content);
      limits(url, files.size, bytes);
    }
    return {
      digest: digestOf(files),
      commit: tree.etag || undefined,
      source: url,
      files,
    };
  }
}

/**
 * Writes pinned files into a new directory (synchronously: a step's folder is
 * made when its executor first asks for it, and runbook folders are small).
 */
export function materialize(files: Map<string, Buffer>, directory: string) {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  for (const [path, content] of files) {
    const safe = safePath(path);
    if (!safe) continue;
    const full = join(directory, safe);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content, { mode: 0o644 });
  }
  return directory;
}

/** Files as stored with runs: JSON of path to base64 content. */
export function encodeFiles(files: Map<string, Buffer>): string {
  return JSON.stringify(
    Object.fromEntries(
      [...files].map(([path, content]) => [path, content.toString('base64')]),
    ),
  );
}

export function decodeFiles(json: string): Map<string, Buffer> {
  return new Map(
    Object.entries(JSON.parse(json) as Record<string, string>).map(
      ([path, content]) => [path, Buffer.from(content, 'base64')],
    ),
  );
}
