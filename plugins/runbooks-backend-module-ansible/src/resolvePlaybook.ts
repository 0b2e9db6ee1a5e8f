import { UrlReaderService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { realpath, writeFile } from 'fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'path';
import { fileURLToPath } from 'url';

/** Where the runbook entity was read from (its catalog location). */
export function runbookLocation(annotations: Record<string, string> = {}) {
  // the file the entity itself was read from (the origin may be a Location
  // entity elsewhere that points at it)
  const location = annotations['backstage.io/managed-by-location'];
  if (!location) {
    throw new InputError(
      'The runbook has no catalog location to read its playbook from',
    );
  }
  const index = location.indexOf(':');
  return { type: location.slice(0, index), target: location.slice(index + 1) };
}

function assertRelative(path: string) {
  if (!path || isAbsolute(path) || path.split(/[\\/]/).includes('..')) {
    throw new NotAllowedError(
      `Playbook path '${path}' must stay inside the runbook's directory`,
    );
  }
}

/**
 * The playbook to run, from next to the runbook entity: for `file` locations
 * the file itself (its real path, after symlinks, must stay in the runbook's
 * directory), for `url` locations a copy read through the URL reader.
 */
export async function resolvePlaybook(options: {
  annotations?: Record<string, string>;
  playbook: string;
  urlReader: UrlReaderService;
  workingDirectory: string;
  /** The runbook's folder as the run pinned it; preferred to the live location. */
  definitionDirectory?: string;
}): Promise<{ playbookPath: string; baseDir: string }> {
  assertRelative(options.playbook);
  const location = options.definitionDirectory
    ? { type: 'pinned', target: options.definitionDirectory }
    : runbookLocation(options.annotations);
  if (location.type === 'file' || location.type === 'pinned') {
    const file = location.target.startsWith('file:')
      ? fileURLToPath(location.target)
      : location.target;
    const baseDir = await realpath(
      location.type === 'pinned' ? file : dirname(resolve(file)),
    );
    let playbookPath: string;
    try {
      playbookPath = await realpath(join(baseDir, options.playbook));
    } catch {
      throw new InputError(
        `Playbook '${options.playbook}' does not exist next to the runbook`,
      );
    }
    const rel = relative(baseDir, playbookPath);
    if (
      rel.startsWith('..') ||
      isAbsolute(rel) ||
      rel.split(sep).includes('..')
    ) {
      throw new NotAllowedError(
        `Playbook '${options.playbook}' escapes the runbook's directory`,
      );
    }
    return { playbookPath, baseDir };
  }
  if (location.type === 'url') {
    const url = new URL(options.playbook, location.target);
    const base = new URL('.', location.target);
    if (!url.href.startsWith(base.href)) {
      throw new NotAllowedError(
        `Playbook '${options.playbook}' escapes the runbook's directory`,
      );
    }
    const response = await options.urlReader.readUrl(url.href);
    const playbookPath = join(options.workingDirectory, 'playbook.yml');
    await writeFile(playbookPath, await response.buffer());
    return { playbookPath, baseDir: options.workingDirectory };
  }
  throw new InputError(
    `Cannot read playbooks from '${location.type}' locations`,
  );
}
