/** Outcome of a deployment as reported by the pipeline or pull source. */
export type DeploymentStatus = 'succeeded' | 'failed' | 'in_progress';

/** Where a deployment record came from. */
export type DeploymentSource = 'api' | 'argocd' | 'file' | string;

/** One recorded deployment of an entity's commit to an environment. */
export interface Deployment {
  id: number;
  entityRef: string;
  environment: string;
  commitSha: string;
  version?: string;
  deployedAt: string;
  deployedBy?: string;
  pipelineUrl?: string;
  status: DeploymentStatus;
  source: DeploymentSource;
  /** Set when the commit could not be found in the entity's repository. */
  warning?: string;
  recordedAt: string;
  /** Link to the commit on the git host, where it has a web UI. */
  commitUrl?: string;
}

/** How a head SHA relates to a base SHA in the commit graph. */
export type DiffStatus =
  /** Same commit. */
  | 'identical'
  /** Head contains base: a fast-forward of `ahead` commits. */
  | 'ahead'
  /** Base contains head: head is older (e.g. a rollback). */
  | 'behind'
  /** Neither contains the other (e.g. a force-push rewrote history). */
  | 'diverged';

/** A PR number or ticket key found in a commit message, with its link. */
export interface CommitReference {
  type: 'pull-request' | 'ticket';
  key: string;
  url?: string;
  /** PR title, author and state, where the git host told us (GitHub). */
  title?: string;
  author?: string;
  state?: string;
}

/** A file changed by a commit or range, as `git --numstat` reports it. */
export interface ChangedFile {
  path: string;
  /** Undefined for binary files. */
  additions?: number;
  deletions?: number;
}

/** One commit of a range. */
export interface DiffCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authoredAt: string;
  subject: string;
  isMerge: boolean;
  references: CommitReference[];
  /** Files changed against the first parent; empty for merge commits. */
  files?: ChangedFile[];
  url?: string;
}

/** Counts and ancestry between two commits; the cheap part of a diff. */
export interface DiffSummary {
  base: string;
  head: string;
  status: DiffStatus;
  /** Commits reachable from head but not from base (`git rev-list base..head`). */
  ahead: number;
  /** Commits reachable from base but not from head (`git rev-list head..base`). */
  behind: number;
  mergeBase?: string;
  /** Author date of the oldest commit in base..head, if any. */
  oldestCommitAt?: string;
}

/** A page of the commits between two commits. */
export interface DeploymentDiff extends DiffSummary {
  /** Which side the commits are listed for: `ahead` lists base..head, `behind` head..base. */
  side: 'ahead' | 'behind';
  commits: DiffCommit[];
  offset: number;
  limit: number;
  /** Number of commits on that side. */
  total: number;
  /** True when the range exceeds the configured maximum and was cut. */
  truncated: boolean;
  compareUrl?: string;
}

/** An environment of an entity: its current deployment and recent history. */
export interface EnvironmentDeployments {
  environment: string;
  current?: Deployment;
  history: Deployment[];
}

/** The comparison between two neighbouring environments. */
export interface EnvironmentComparison {
  /** The environment further along (e.g. production). */
  base: string;
  /** The environment before it (e.g. staging). */
  head: string;
  /** Undefined while being computed, or when it cannot be computed. */
  summary?: DiffSummary;
  /** Why there is no summary (commit missing from the repository, ...). */
  problem?: string;
  pending?: boolean;
}

/** Everything the Deployments tab shows for one entity. */
export interface EntityDeploymentsOverview {
  entityRef: string;
  repository?: { url: string; webUrl?: string };
  repositoryProblem?: string;
  environments: EnvironmentDeployments[];
  comparisons: EnvironmentComparison[];
}

/** One service's row on the drift page. */
export interface DriftEntry {
  entityRef: string;
  title?: string;
  owner?: string;
  system?: string;
  environments: Array<{
    environment: string;
    commitSha?: string;
    version?: string;
    deployedAt?: string;
  }>;
  /** Commits the furthest environment has that production lacks; undefined if unknown. */
  productionBehind?: number;
  /** Author date of the oldest commit not yet in production. */
  oldestUndeployedAt?: string;
  /** Environment whose commits production lacks (e.g. dev or staging). */
  comparedWith?: string;
  status: 'current' | 'behind' | 'diverged' | 'unknown' | 'not-deployed';
  pending?: boolean;
}

/** The fleet drift summary. */
export interface DriftSummary {
  environments: string[];
  productionEnvironment: string;
  services: DriftEntry[];
}
