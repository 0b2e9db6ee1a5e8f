/** A project of the fake GitLab. @public */
export interface FakeGitLabProject {
  id: number;
  /** `group/subgroup/project`. */
  path: string;
}

/** A merge request of the fake GitLab, as the test controls see it. @public */
export interface FakeGitLabMergeRequest {
  id: number;
  iid: number;
  projectId: number;
  title: string;
  description: string;
  sourceBranch: string;
  targetBranch: string;
  state: 'opened' | 'closed' | 'merged';
  sha: string;
  baseSha: string;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  mergedAt?: string;
  mergeCommitSha?: string;
}

/** A pipeline status, as GitLab names them. @public */
export type FakeGitLabPipelineStatus =
  | 'created'
  | 'waiting_for_resource'
  | 'preparing'
  | 'pending'
  | 'running'
  | 'success'
  | 'failed'
  | 'canceled'
  | 'skipped'
  | 'manual'
  | 'scheduled';

/** A pipeline of the fake GitLab. */
export interface FakeGitLabPipeline {
  id: number;
  sha: string;
  ref: string;
  status: FakeGitLabPipelineStatus;
  createdAt: string;
  updatedAt: string;
}

const user = (web: string, username: string) => ({
  id: 1,
  username,
  name: username,
  state: 'active',
  locked: false,
  avatar_url: null,
  web_url: `${web}/${username}`,
});

/** `GET /projects/:id`, the fields a client reads. */
export function projectJson(
  web: string,
  project: FakeGitLabProject,
  defaultBranch: string,
) {
  const parts = project.path.split('/');
  const name = parts[parts.length - 1];
  const namespace = parts.slice(0, -1).join('/');
  return {
    id: project.id,
    description: null,
    name,
    name_with_namespace: parts.join(' / '),
    path: name,
    path_with_namespace: project.path,
    created_at: '2024-01-01T00:00:00.000Z',
    default_branch: defaultBranch,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${new URL(web).host}:${project.path}.git`,
    http_url_to_repo: `${web}/${project.path}.git`,
    web_url: `${web}/${project.path}`,
    readme_url: `${web}/${project.path}/-/blob/${defaultBranch}/README.md`,
    visibility: 'private',
    archived: false,
    namespace: {
      id: project.id + 1000,
      name: parts[parts.length - 2] ?? namespace,
      path: parts[parts.length - 2] ?? namespace,
      kind: 'group',
      full_path: namespace,
      web_url: `${web}/groups/${namespace}`,
    },
    merge_requests_enabled: true,
    merge_method: 'merge',
  };
}

function pipelineJson(web: string, path: string, p: FakeGitLabPipeline) {
  return {
    id: p.id,
    iid: p.id,
    project_id: 0,
    sha: p.sha,
    ref: p.ref,
    status: p.status,
    source: 'push',
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    web_url: `${web}/${path}/-/pipelines/${p.id}`,
  };
}

/**
 * A merge request in the REST shape: as listed, and with `pipeline` the
 * single `GET .../merge_requests/:iid` (head_pipeline, diff_refs).
 */
export function mergeRequestJson(
  web: string,
  project: FakeGitLabProject,
  mr: FakeGitLabMergeRequest,
  username: string,
  single?: { pipeline?: FakeGitLabPipeline },
) {
  const author = user(web, username);
  const listed = {
    id: mr.id,
    iid: mr.iid,
    project_id: project.id,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: mr.createdAt,
    updated_at: mr.updatedAt,
    merged_by: mr.state === 'merged' ? author : null,
    merge_user: mr.state === 'merged' ? author : null,
    merged_at: mr.mergedAt ?? null,
    closed_by: mr.state === 'closed' ? author : null,
    closed_at: mr.closedAt ?? null,
    target_branch: mr.targetBranch,
    source_branch: mr.sourceBranch,
    user_notes_count: 0,
    upvotes: 0,
    downvotes: 0,
    author,
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: project.id,
    target_project_id: project.id,
    labels: [],
    draft: false,
    work_in_progress: false,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: mr.state === 'opened' ? 'can_be_merged' : 'unchecked',
    detailed_merge_status: mr.state === 'opened' ? 'mergeable' : 'not_open',
    sha: mr.sha,
    merge_commit_sha: mr.mergeCommitSha ?? null,
    squash_commit_sha: null,
    discussion_locked: null,
    should_remove_source_branch: null,
    force_remove_source_branch: false,
    reference: `!${mr.iid}`,
    references: {
      short: `!${mr.iid}`,
      relative: `!${mr.iid}`,
      full: `${project.path}!${mr.iid}`,
    },
    web_url: `${web}/${project.path}/-/merge_requests/${mr.iid}`,
    time_stats: { time_estimate: 0, total_time_spent: 0 },
    squash: false,
    has_conflicts: false,
    blocking_discussions_resolved: true,
  };
  if (!single) return listed;
  const pipeline = single.pipeline
    ? pipelineJson(web, project.path, single.pipeline)
    : null;
  return {
    ...listed,
    subscribed: true,
    changes_count: '1',
    pipeline,
    head_pipeline: pipeline && { ...pipeline, project_id: project.id },
    diff_refs: {
      base_sha: mr.baseSha,
      head_sha: mr.sha,
      start_sha: mr.baseSha,
    },
    merge_error: null,
    user: { can_merge: true },
  };
}
