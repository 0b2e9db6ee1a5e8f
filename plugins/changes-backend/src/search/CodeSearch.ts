import { LoggerService } from '@backstage/backend-plugin-api';
import { MirrorManager, Repository } from '@fleetdeck/fleetdeck-node';
import {
  searchQuerySchema,
  SearchRepositoryResult,
  SearchResponse,
} from '@fleetdeck/plugin-changes-common';
import { z } from 'zod';
import { gitGrep, GrepResult } from './gitGrep';
import { lineUrl } from './lineUrl';

/** A search query after validation (defaults applied). */
export type ParsedSearchQuery = z.output<typeof searchQuerySchema>;

/** One catalog entity whose repository is searched. */
export interface SearchTarget {
  entityRef: string;
  title?: string;
  owner?: string;
  system?: string;
  repository: Repository;
}

/** Options of {@link CodeSearch}. */
export interface CodeSearchOptions {
  /** The bare mirrors searched; a repository without one fails. */
  mirrors: MirrorManager;
  logger: LoggerService;
  /** Repositories searched at once; 4 if unset. */
  concurrency?: number;
  /** git grep is killed in a repository after this long; 30 s if unset. */
  perRepoTimeoutMs?: number;
  /** Matches kept per repository; 100 if unset. */
  maxMatchesPerRepo?: number;
}

type Outcome =
  | { ok: true; branch: string; grep: GrepResult }
  | { ok: false; message: string };

/**
 * Code search over the default branch of the bare mirrors of catalog
 * entities' repositories, with `git grep`. It neither clones nor fetches:
 * mirrors are kept fresh elsewhere (`MirrorManager.refresh`), so a search
 * costs only the greps. A repository that cannot be searched is reported in
 * `failed`, never fails the search.
 *
 * It searches every target it is given: only entities the user may read must
 * be passed (fetch them from the catalog with the user's credentials).
 */
export class CodeSearch {
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly maxMatches: number;

  constructor(private readonly options: CodeSearchOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.timeoutMs = options.perRepoTimeoutMs ?? 30_000;
    this.maxMatches = options.maxMatchesPerRepo ?? 100;
  }

  /**
   * Searches each target's repository once (entities sharing a repository
   * share the grep). Results are sorted by entity ref, their matches by path
   * then line; only targets with matches have a result. `searched` counts the
   * targets searched, `failed` those that could not be.
   */
  async search(
    query: ParsedSearchQuery,
    targets: SearchTarget[],
  ): Promise<SearchResponse> {
    const started = Date.now();
    const byRepo = new Map<string, SearchTarget[]>();
    for (const target of targets) {
      const key = target.repository.key;
      byRepo.set(key, [...(byRepo.get(key) ?? []), target]);
    }
    const groups = [...byRepo.values()];
    const outcomes = await mapLimited(groups, this.concurrency, group =>
      this.searchRepository(query, group[0].repository),
    );

    const response: SearchResponse = {
      results: [],
      searched: 0,
      failed: [],
      durationMs: 0,
    };
    groups.forEach((group, i) => {
      const outcome = outcomes[i];
      for (const target of group) {
        if (!outcome.ok) {
          response.failed.push({
            entityRef: target.entityRef,
            message: outcome.message,
          });
          continue;
        }
        response.searched++;
        if (outcome.grep.matches.length > 0) {
          response.results.push(toResult(target, outcome));
        }
      }
    });
    response.results.sort((a, b) => compare(a.entityRef, b.entityRef));
    response.failed.sort((a, b) => compare(a.entityRef, b.entityRef));
    response.durationMs = Date.now() - started;
    return response;
  }

  private async searchRepository(
    query: ParsedSearchQuery,
    repo: Repository,
  ): Promise<Outcome> {
    const { mirrors, logger } = this.options;
    if (!mirrors.exists(repo)) {
      return {
        ok: false,
        message: `The repository ${
          repo.webUrl ?? repo.name
        } has not been mirrored yet`,
      };
    }
    const gitDir = mirrors.dir(repo);
    try {
      const branch = await mirrors.defaultBranch(repo);
      const grep = await gitGrep({
        gitDir,
        query: query.query,
        regex: query.regex,
        ignoreCase: query.ignoreCase,
        files: query.files,
        maxMatches: this.maxMatches,
        timeoutMs: this.timeoutMs,
      });
      return { ok: true, branch, grep };
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e))
        .split(gitDir)
        .join(repo.name);
      logger.warn(`Code search in ${repo.url} failed: ${message}`);
      return { ok: false, message: `Search failed: ${message}` };
    }
  }
}

function toResult(
  target: SearchTarget,
  outcome: { branch: string; grep: GrepResult },
): SearchRepositoryResult {
  const repo = target.repository;
  const matches = outcome.grep.matches
    .map(m => ({ ...m, url: lineUrl(repo, outcome.branch, m.path, m.line) }))
    .sort((a, b) => compare(a.path, b.path) || a.line - b.line);
  return {
    entityRef: target.entityRef,
    title: target.title,
    owner: target.owner,
    system: target.system,
    repository: {
      url: repo.url,
      webUrl: repo.webUrl,
      defaultBranch: outcome.branch,
    },
    matches,
    truncated: outcome.grep.truncated,
  };
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** `fn` over `items`, at most `limit` at a time, results in input order. */
async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}
