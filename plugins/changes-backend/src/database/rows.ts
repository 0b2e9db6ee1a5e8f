import {
  ChangeRepository,
  ChangeRepositoryState,
  ChangeState,
  ChangeSummary,
  ChecksState,
} from '@fleetdeck/plugin-changes-common';

/** A row of `changes`. */
export interface ChangeRow {
  id: string;
  title: string;
  description: string;
  state: ChangeState;
  created_by: string;
  created_at: number | string;
  updated_at: number | string;
  branch: string;
  concurrency: number;
  targets: string;
  recipe: string;
  trusted: boolean | number;
}

/** A row of `changes_repositories`. */
export interface RepositoryRow {
  change_id: string;
  entity_ref: string;
  state: ChangeRepositoryState;
  repo_url: string;
  web_url: string | null;
  default_branch: string | null;
  base_sha: string | null;
  files: string | null;
  diff: string | null;
  commit_sha: string | null;
  pr_number: number | null;
  pr_url: string | null;
  pr_etag: string | null;
  checks: ChecksState | null;
  error: string | null;
  attempts: number;
  applied_by: string | null;
  approved_by: string | null;
  claimed_by: string | null;
  heartbeat_at: number | string | null;
  updated_at: number | string;
}

/** Columns of a repository row that the API shows (not the diff). */
export const repositoryColumns = [
  'change_id',
  'entity_ref',
  'state',
  'repo_url',
  'web_url',
  'default_branch',
  'files',
  'commit_sha',
  'pr_number',
  'pr_url',
  'checks',
  'error',
  'attempts',
  'updated_at',
];

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

export function toSummary(
  row: ChangeRow,
  counts: Partial<Record<ChangeRepositoryState, number>>,
  total: number,
): ChangeSummary {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    state: row.state,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    branch: row.branch,
    concurrency: row.concurrency,
    counts,
    total,
  };
}

export function toRepository(row: RepositoryRow): ChangeRepository {
  return {
    entityRef: row.entity_ref,
    state: row.state,
    repository: {
      url: row.repo_url,
      ...(row.web_url ? { webUrl: row.web_url } : {}),
    },
    ...(row.files ? { files: JSON.parse(row.files) } : {}),
    ...(row.default_branch ? { baseBranch: row.default_branch } : {}),
    ...(row.commit_sha ? { commitSha: row.commit_sha } : {}),
    ...(row.pr_url
      ? {
          pullRequest: {
            url: row.pr_url,
            ...(row.pr_number ? { number: row.pr_number } : {}),
          },
        }
      : {}),
    ...(row.checks ? { checks: row.checks } : {}),
    ...(row.error ? { error: row.error } : {}),
    attempts: row.attempts,
    updatedAt: iso(row.updated_at),
  };
}
