import { join } from 'path';
import { GrepMatch } from './GrepOutputParser';
import { gitGrep, GrepQuery } from './gitGrep';

/** A tree to search: a commit, and the repository that holds it. */
export interface GrepTree {
  gitDir: string;
  commit: string;
}

/** What {@link grepTrees} found in one tree, or why it could not search it. */
export type GrepTreeOutcome =
  | { ok: true; matches: GrepMatch[]; truncated: boolean }
  | { ok: false; message: string };

/** Options of {@link grepTrees}. */
export interface GrepTreesOptions extends GrepQuery {
  /** git processes at once. */
  concurrency: number;
  /** Matches kept per tree; past them the tree is `truncated`. */
  maxMatches: number;
  /** A git process is killed after this long. */
  timeoutMs: number;
  /** Trees one git process searches at most; 200 if unset. */
  batchSize?: number;
}

/**
 * Greps many trees, each possibly in another repository, with as few git
 * processes as it can: the trees are split into `concurrency` batches, and
 * each batch is one `git grep` over all its commits, run in the first
 * repository with the others' object directories as alternates. A process
 * per repository would cost more in process starts than the grep itself.
 *
 * git writes matches in the order of its revisions, so it is known which
 * tree each match is in. Past `maxMatches` in a tree the matches are read
 * and dropped, and when there are many more the process is stopped there
 * and a new one carries on with the trees after it. When a batch fails or times out, the trees it had not
 * reached are searched one process each, so that one broken repository
 * fails alone, with its own message.
 */
export async function grepTrees(
  trees: GrepTree[],
  options: GrepTreesOptions,
): Promise<GrepTreeOutcome[]> {
  // a commit shared by repositories (a fork, two names for one repository) is searched once
  const byCommit = new Map<string, GrepTree>();
  for (const tree of trees) {
    if (!byCommit.has(tree.commit)) byCommit.set(tree.commit, tree);
  }
  const unique = [...byCommit.values()];
  const batchSize = Math.max(1, options.batchSize ?? 200);
  const count = Math.max(
    Math.min(options.concurrency, unique.length),
    Math.ceil(unique.length / batchSize),
  );
  const batches = Array.from({ length: count }, (_, i) =>
    unique.slice(
      Math.floor((i * unique.length) / count),
      Math.floor(((i + 1) * unique.length) / count),
    ),
  );
  const found = new Map<string, GrepTreeOutcome>();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      await searchBatch(batch, options, (commit, outcome) =>
        found.set(commit, outcome),
      );
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, count) }, worker),
  );
  return trees.map(tree => found.get(tree.commit)!);
}

async function searchBatch(
  batch: GrepTree[],
  options: GrepTreesOptions,
  done: (commit: string, outcome: GrepTreeOutcome) => void,
) {
  let pending = batch;
  let alone = false;
  // Reading a few thousand matches too many costs less than a new process
  // over the rest of the batch; a tree matching on every line does not.
  const skipLimit = Math.max(10 * options.maxMatches, 5_000);
  while (pending.length > 0) {
    const trees = alone ? pending.slice(0, 1) : pending;
    const index = new Map(trees.map((tree, i) => [tree.commit, i]));
    const matches: GrepMatch[][] = trees.map(() => []);
    let reached = 0; // the tree of the last match seen; those before it are complete
    const truncated = new Set<number>();
    let skipped = 0; // matches past the limit in the tree `reached`
    let full = -1; // the tree whose matches past the limit ended the process
    try {
      await gitGrep({
        ...options,
        gitDir: trees[0].gitDir,
        alternates: objectDirs(trees.slice(1), trees[0].gitDir),
        revs: trees.map(tree => tree.commit),
        onMatch(rev, match) {
          const i = index.get(rev) ?? reached;
          if (i !== reached) skipped = 0;
          reached = i;
          if (matches[i].length < options.maxMatches) {
            matches[i].push(match);
          } else if (++skipped > skipLimit) {
            full = i;
            return false;
          } else {
            truncated.add(i);
          }
          return true;
        },
      });
      const last = full >= 0 ? full : trees.length - 1;
      for (let i = 0; i <= last; i++) {
        done(trees[i].commit, {
          ok: true,
          matches: matches[i],
          truncated: i === full || truncated.has(i),
        });
      }
      pending = pending.slice(last + 1);
    } catch (e) {
      if (trees.length === 1) {
        const message = e instanceof Error ? e.message : String(e);
        done(trees[0].commit, { ok: false, message });
        pending = pending.slice(1);
        continue;
      }
      for (let i = 0; i < reached; i++) {
        done(trees[i].commit, {
          ok: true,
          matches: matches[i],
          truncated: truncated.has(i),
        });
      }
      pending = pending.slice(reached);
      alone = true;
    }
  }
}

/** The object directories of the trees' repositories, each once, but `except`'s. */
function objectDirs(trees: GrepTree[], except: string): string[] {
  const dirs = new Set(trees.map(tree => tree.gitDir));
  dirs.delete(except);
  return [...dirs].map(dir => join(dir, 'objects'));
}
