import { Recipe, TrustedRecipe } from './recipe';
import { EntityFilter } from './change';

/** One matching line of a code search. */
export interface SearchMatch {
  path: string;
  /** 1-based line number. */
  line: number;
  /** The line's text, cut to 500 characters. */
  text: string;
  /** The line on the host's web UI, where the host has one. */
  url?: string;
}

/** A code search's hits in one repository (one catalog entity). */
export interface SearchRepositoryResult {
  entityRef: string;
  title?: string;
  owner?: string;
  system?: string;
  repository: { url: string; webUrl?: string; defaultBranch: string };
  matches: SearchMatch[];
  /** More matches exist than were returned for this repository. */
  truncated: boolean;
}

export interface SearchResponse {
  results: SearchRepositoryResult[];
  /** Repositories searched (those of entities the user may read, with a mirror). */
  searched: number;
  /** Repositories the filter selected but that could not be searched, with why. */
  failed: { entityRef: string; message: string }[];
  durationMs: number;
}

/**
 * Where a change stands in one repository.
 *
 * - `pending`: selected, preview not computed yet;
 * - `previewed`: the diff is known, nothing pushed;
 * - `no_change`: the recipe changes nothing here (no branch, no pull request);
 * - `queued` / `applying`: apply asked for / in progress;
 * - `awaiting_approval`: the requester does not own the service; an owner must approve;
 * - `pushed`: the branch is on the host (plain git servers stop here, with a compare link);
 * - `pr_open`, `merged`, `closed`: the pull/merge request's state on the host;
 * - `failed`: with `error` saying why (the host's message where it gave one).
 */
export type ChangeRepositoryState =
  | 'pending'
  | 'previewed'
  | 'no_change'
  | 'awaiting_approval'
  | 'queued'
  | 'applying'
  | 'pushed'
  | 'pr_open'
  | 'merged'
  | 'closed'
  | 'failed';

export type ChecksState = 'pending' | 'passing' | 'failing';

/** A change as a whole: `previewing` → `ready` → `applying` → `applied`, or `closed`. */
export type ChangeState =
  | 'previewing'
  | 'ready'
  | 'applying'
  | 'applied'
  | 'closed';

export interface ChangeRepository {
  entityRef: string;
  state: ChangeRepositoryState;
  repository: { url: string; webUrl?: string };
  /** Files the recipe changed, with +/- line counts. */
  files?: { path: string; added: number; removed: number }[];
  /** The branch the change is based on (the repository's default branch). */
  baseBranch?: string;
  commitSha?: string;
  pullRequest?: { number?: number; url: string };
  checks?: ChecksState;
  error?: string;
  attempts: number;
  updatedAt: string;
}

export interface ChangeSummary {
  id: string;
  title: string;
  description: string;
  state: ChangeState;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  branch: string;
  concurrency: number;
  /** Repositories per state. */
  counts: Partial<Record<ChangeRepositoryState, number>>;
  total: number;
  /** In a list asked for one entity (`entityRef`): that entity's repository. */
  repository?: ChangeRepository;
}

export interface ChangeDetail extends ChangeSummary {
  targets: EntityFilter;
  recipe: Recipe;
  repositories: ChangeRepository[];
}

/** The answer of `GET /recipes`: the recipes configured in `changes.recipes`. */
export interface ListRecipesResponse {
  items: TrustedRecipe[];
}
