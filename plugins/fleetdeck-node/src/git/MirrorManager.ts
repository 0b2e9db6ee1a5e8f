import { LoggerService } from '@backstage/backend-plugin-api';
import { existsSync } from 'fs';
import { mkdir, readFile, rename, rm } from 'fs/promises';
import { join } from 'path';
import { GitAuth } from './GitAuth';
import { GitCommandError } from './GitCommandError';
import { gitProtocolsFor } from './protocols';
import { Repository } from './RepositoryResolver';
import { runGit } from './runGit';

/** Options of {@link MirrorManager}. */
export interface MirrorManagerOptions {
  /** Directory the mirrors live in, one bare repository each. */
  cacheDir: string;
  logger: LoggerService;
  /** Credentials for a repository's host, if it has any. */
  auth?: (repo: Repository) => GitAuth | undefined;
  /** Timeout of one clone or fetch; 10 minutes if unset. */
  timeoutMs?: number;
}

/**
 * Keeps one bare mirror per repository under the cache directory, cloned on
 * first need and fetched when asked (`refresh`) or when a commit a caller
 * needs is missing (`ensure(repo, shas)`). Clones and fetches of one
 * repository run one at a time. Garbage collection is off so that commits a
 * force-push orphaned stay available for diffs.
 */
export class MirrorManager {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: MirrorManagerOptions) {}

  /** Where the mirror of a repository lives (it may not exist yet). */
  dir(repo: Repository): string {
    const safe = repo.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
    return join(this.options.cacheDir, `${safe}-${repo.key.slice(0, 12)}.git`);
  }

  /** Whether the repository has been mirrored. */
  exists(repo: Repository): boolean {
    return existsSync(this.dir(repo));
  }

  /**
   * Clones the mirror if it is missing. Given commits, also makes sure the
   * mirror holds them, fetching only when one is absent, and returns the SHAs
   * still missing (none when no commits were given).
   */
  async ensure(repo: Repository, shas: string[] = []): Promise<string[]> {
    return this.withLock(repo.key, async () => {
      const dir = this.dir(repo);
      if (!existsSync(dir)) {
        await this.clone(repo, dir);
      }
      let missing = await missingCommits(dir, shas);
      if (missing.length === 0) return missing;
      this.options.logger.info(
        `Fetching ${repo.url}: ${missing.length} commit(s) not in the mirror`,
      );
      await this.fetch(repo, dir);
      missing = await missingCommits(dir, missing);
      for (const sha of missing) {
        // A commit no ref points at any more (force-push) can still be
        // fetched by id from hosts that allow it.
        await this.git(repo, ['fetch', '--quiet', 'origin', sha], dir).catch(
          () => {},
        );
      }
      return missing.length ? missingCommits(dir, missing) : missing;
    });
  }

  /** Brings the mirror up to date with its origin (cloning it if missing). */
  async refresh(repo: Repository): Promise<void> {
    await this.withLock(repo.key, async () => {
      const dir = this.dir(repo);
      if (!existsSync(dir)) {
        await this.clone(repo, dir);
        return;
      }
      await this.fetch(repo, dir);
    });
  }

  /** The branch the mirror's HEAD names: the origin's default branch when cloned. */
  async defaultBranch(repo: Repository): Promise<string> {
    // read from the HEAD file: a search asks this of every mirror, and a git
    // process per repository would cost as much as the grep itself
    const head = await readFile(join(this.dir(repo), 'HEAD'), 'utf8').catch(
      () => '',
    );
    const ref = /^ref: refs\/heads\/(.+)$/.exec(head.trim());
    if (ref) return ref[1];
    const { stdout } = await runGit(['symbolic-ref', '--short', 'HEAD'], {
      cwd: this.dir(repo),
    });
    return stdout.trim();
  }

  /**
   * The mirror's default branch and the commit it points at, read from the
   * ref files (`HEAD`, then the loose ref or `packed-refs`) so that asking
   * it of a thousand mirrors starts no process; git answers when the files
   * say something else (a detached HEAD, another ref store).
   */
  async head(repo: Repository): Promise<MirrorHead> {
    const dir = this.dir(repo);
    const fromFiles = await readHeadFiles(dir);
    if (fromFiles) return fromFiles;
    const [branch, commit] = await Promise.all([
      runGit(['symbolic-ref', '--short', 'HEAD'], { cwd: dir }),
      runGit(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd: dir }),
    ]);
    return { branch: branch.stdout.trim(), commit: commit.stdout.trim() };
  }

  private async fetch(repo: Repository, dir: string) {
    await this.git(repo, ['fetch', '--prune', '--quiet', 'origin'], dir);
  }

  private async clone(repo: Repository, dir: string) {
    await mkdir(this.options.cacheDir, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    this.options.logger.info(`Cloning a mirror of ${repo.url}`);
    try {
      await this.git(repo, [
        'clone',
        '--mirror',
        '--quiet',
        '--',
        repo.url,
        tmp,
      ]);
      await runGit(['config', 'gc.auto', '0'], { cwd: tmp });
      await runGit(['config', 'core.logAllRefUpdates', 'false'], { cwd: tmp });
      await rename(tmp, dir);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  private git(repo: Repository, args: string[], cwd?: string) {
    return runGit(args, {
      cwd,
      auth: this.options.auth?.(repo),
      // the resolver checked the URL: plain http only where it was allowed
      protocols: gitProtocolsFor(repo.url),
      timeoutMs: this.options.timeoutMs ?? 10 * 60_000,
    });
  }

  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => {});
    this.locks.set(key, settled);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }
}

/** A mirror's default branch and the commit at its tip. */
export interface MirrorHead {
  branch: string;
  commit: string;
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

async function readHeadFiles(gitDir: string): Promise<MirrorHead | undefined> {
  const read = (name: string) =>
    readFile(join(gitDir, name), 'utf8').catch(() => undefined);
  const head = /^ref: (refs\/heads\/(\S+))\n?$/.exec(
    (await read('HEAD')) ?? '',
  );
  if (!head) return undefined;
  const [, ref, branch] = head;
  const loose = (await read(ref))?.trim();
  if (loose !== undefined) {
    return SHA.test(loose) ? { branch, commit: loose } : undefined;
  }
  // packed-refs lines are `<sha> <ref>`; a `^<sha>` line peels the tag above
  for (const line of ((await read('packed-refs')) ?? '').split('\n')) {
    const space = line.indexOf(' ');
    if (line.slice(space + 1) === ref) {
      const commit = line.slice(0, space);
      return SHA.test(commit) ? { branch, commit } : undefined;
    }
  }
  return undefined;
}

/** The SHAs that are not commits in the repository at `gitDir`. */
async function missingCommits(
  gitDir: string,
  shas: string[],
): Promise<string[]> {
  const missing: string[] = [];
  for (const sha of new Set(shas)) {
    try {
      await runGit(['cat-file', '-e', `${sha}^{commit}`], { cwd: gitDir });
    } catch (e) {
      if (e instanceof GitCommandError) missing.push(sha);
      else throw e;
    }
  }
  return missing;
}
