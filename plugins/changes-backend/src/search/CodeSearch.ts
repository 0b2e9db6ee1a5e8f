import { LoggerService } from '@backstage/backend-plugin-api';
import { MirrorManager, Repository } from '@fleetdeck/fleetdeck-node';
import {
  searchQuerySchema,
  SearchRepositoryResult,
  SearchResponse,
} from '@fleetdeck/plugin-changes-common';
import { z } from 'zod';
import { GrepMatch } from './GrepOutputParser';
import { grepTrees } from './grepTrees';
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
  /** git processes at once, each over a share of the repositories; 4 if unset. */
  concurrency?: number;
  /**
   * A git grep is killed after this long; 30 s if unset. The repositories it
   * had not reached are then searched one process each, with the same limit.
   */
  perRepoTimeoutMs?: number;
  /** Matches kept per repository; 100 if unset. */
  maxMatchesPerRepo?: number;
}

type Outcome =
  | { ok: true; branch: string; matches: GrepMatch[]; truncated: boolean }
  | { ok: false; message: string };

/**
 * Code search over the default branch of the bare mirrors of catalog
 * entities' repositories, with `git grep`. It neither clones nor fetches:
 * mirrors are kept fresh elsewhere (`MirrorManager.refresh`), so a search
 * costs only the greps, a few git processes over many mirrors each
 * ({@link grepTrees}). A repository that cannot be searched is reported in
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
    const outcomes = await this.searchRepositories(
      query,
      groups.map(group => group[0].repository),
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
        if (outcome.matches.length > 0) {
          response.results.push(toResult(target, outcome));
        }
      }
    });
    response.results.sort((a, b) => compare(a.entityRef, b.entityRef));
    response.failed.sort((a, b) => compare(a.entityRef, b.entityRef));
    response.durationMs = Date.now() - started;
    return response;
  }

  private async searchRepositories(
    query: ParsedSearchQuery,
    repos: Repository[],
  ): Promise<Outcome[]> {
    const { mirrors } = this.options;
    const heads = await Promise.all(
      repos.map(async repo => {
        if (!mirrors.exists(repo)) {
          return new Error(
            `The repository ${
              repo.webUrl ?? repo.name
            } has not been mirrored yet`,
          );
        }
        return mirrors.head(repo).catch((e: unknown) => this.failure(repo, e));
      }),
    );
    const searchable = repos.flatMap((repo, i) => {
      const head = heads[i];
      return head instanceof Error ? [] : [{ repo, head }];
    });
    const grepped = await grepTrees(
      searchable.map(({ repo, head }) => ({
        gitDir: mirrors.dir(repo),
        commit: head.commit,
      })),
      {
        query: query.query,
        regex: query.regex,
        ignoreCase: query.ignoreCase,
        files: query.files,
        concurrency: this.concurrency,
        maxMatches: this.maxMatches,
        timeoutMs: this.timeoutMs,
      },
    );
    const byKey = new Map<string, Outcome>();
    searchable.forEach(({ repo, head }, i) => {
      const outcome = grepped[i];
      byKey.set(
        repo.key,
        outcome.ok
          ? { ...outcome, branch: head.branch }
          : { ok: false, message: this.failure(repo, outcome.message).message },
      );
    });
    return repos.map((repo, i) => {
      const head = heads[i];
      return head instanceof Error
        ? { ok: false, message: head.message }
        : byKey.get(repo.key)!;
    });
  }

  /** A repository's failure, logged, its mirror's path replaced by its name. */
  private failure(repo: Repository, e: unknown): Error {
    const gitDir = this.options.mirrors.dir(repo);
    const message = (e instanceof Error ? e.message : String(e))
      .split(gitDir)
      .join(repo.name);
    this.options.logger.warn(`Code search in ${repo.url} failed: ${message}`);
    return new Error(`Search failed: ${message}`);
  }
}

function toResult(
  target: SearchTarget,
  outcome: { branch: string; matches: GrepMatch[]; truncated: boolean },
): SearchRepositoryResult {
  const repo = target.repository;
  const matches = outcome.matches
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
    truncated: outcome.truncated,
  };
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
