import { LoggerService } from '@backstage/backend-plugin-api';
import { GitAuth, runGit } from '@fleetdeck/fleetdeck-node';
import { existsSync } from 'fs';
import { mkdir, rename, rm } from 'fs/promises';
import { join } from 'path';
import { GitRange } from './GitRange';
import { Repository } from './RepositoryResolver';

/**
 * Keeps one bare mirror per repository under the cache directory. Mirrors are
 * cloned on first need and fetched only when a SHA they lack arrives; nothing
 * here runs on a page view. Garbage collection is off so that commits a
 * force-push orphaned stay available for diffs.
 */
export class MirrorManager {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly options: {
      cacheDir: string;
      logger: LoggerService;
      /** Credentials for a repository's host, if it has any. */
      auth?: (repo: Repository) => GitAuth | undefined;
      timeoutMs?: number;
    },
  ) {}

  /** Where the mirror of a repository lives (it may not exist yet). */
  dir(repo: Repository): string {
    const safe = repo.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
    return join(this.options.cacheDir, `${safe}-${repo.key.slice(0, 12)}.git`);
  }

  /** The mirror's range reader, if the mirror exists. */
  range(repo: Repository): GitRange | undefined {
    const dir = this.dir(repo);
    return existsSync(dir) ? new GitRange(dir) : undefined;
  }

  /**
   * Makes sure the mirror holds the given commits: clones it if missing, else
   * fetches only when one is absent. Returns the SHAs still missing.
   */
  async ensure(repo: Repository, shas: string[]): Promise<string[]> {
    return this.withLock(repo.key, async () => {
      const dir = this.dir(repo);
      if (!existsSync(dir)) {
        await this.clone(repo, dir);
      }
      const range = new GitRange(dir);
      let missing = await range.missingCommits(shas);
      if (missing.length === 0) return missing;
      this.options.logger.info(
        `Fetching ${repo.url}: ${missing.length} commit(s) not in the mirror`,
      );
      await this.git(repo, ['fetch', '--prune', '--quiet', 'origin'], dir);
      missing = await range.missingCommits(missing);
      for (const sha of missing) {
        // A commit no ref points at any more (force-push) can still be
        // fetched by id from hosts that allow it.
        await this.git(repo, ['fetch', '--quiet', 'origin', sha], dir).catch(
          () => {},
        );
      }
      return missing.length ? range.missingCommits(missing) : missing;
    });
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
