/** A pull request of the fake GitHub, as the test controls see it. @public */
export interface FakeGitHubPull {
  id: number;
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string;
  /** Branch names in the same repository. */
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  mergedAt?: string;
  mergeCommitSha?: string;
}

/** A check run of the fake GitHub. @public */
export interface FakeGitHubCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | null;
  startedAt: string;
  completedAt?: string;
}

/** Where the REST answers point: the web root and the API root. */
export interface GitHubUrls {
  web: string;
  api: string;
}

/** A user or organization, in the REST shape (`simple-user`). */
export function userJson(urls: GitHubUrls, login: string, id: number) {
  return {
    login,
    id,
    node_id: Buffer.from(`04:User${id}`).toString('base64'),
    avatar_url: `${urls.web}/avatars/u/${id}`,
    url: `${urls.api}/users/${login}`,
    html_url: `${urls.web}/${login}`,
    type: 'User',
    site_admin: false,
  };
}

/** `GET /repos/{owner}/{repo}` (the `full-repository` fields a client reads). */
export function repoJson(
  urls: GitHubUrls,
  repo: { id: number; owner: string; name: string; defaultBranch: string },
) {
  const fullName = `${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
    name: repo.name,
    full_name: fullName,
    private: true,
    owner: userJson(urls, repo.owner, repo.id + 1000),
    html_url: `${urls.web}/${fullName}`,
    description: null,
    fork: false,
    url: `${urls.api}/repos/${fullName}`,
    pulls_url: `${urls.api}/repos/${fullName}/pulls{/number}`,
    clone_url: `${urls.web}/${fullName}.git`,
    git_url: `${urls.web}/${fullName}.git`,
    default_branch: repo.defaultBranch,
    visibility: 'private',
    archived: false,
    disabled: false,
    permissions: {
      admin: false,
      maintain: false,
      push: true,
      triage: true,
      pull: true,
    },
  };
}

/**
 * A pull request in the REST shape: `pull-request-simple` for lists, and
 * with `full` the single `pull-request` (merged, mergeable, counts).
 */
export function pullJson(
  urls: GitHubUrls,
  pr: FakeGitHubPull,
  repo: { id: number; defaultBranch: string },
  login: string,
  full: boolean,
) {
  const fullName = `${pr.owner}/${pr.repo}`;
  const apiUrl = `${urls.api}/repos/${fullName}/pulls/${pr.number}`;
  const htmlUrl = `${urls.web}/${fullName}/pull/${pr.number}`;
  const owner = userJson(urls, pr.owner, repo.id + 1000);
  const repository = repoJson(urls, {
    ...repo,
    owner: pr.owner,
    name: pr.repo,
  });
  const branch = (ref: string, sha: string) => ({
    label: `${pr.owner}:${ref}`,
    ref,
    sha,
    user: owner,
    repo: repository,
  });
  const simple = {
    url: apiUrl,
    id: pr.id,
    node_id: Buffer.from(`011:PullRequest${pr.id}`).toString('base64'),
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    issue_url: `${urls.api}/repos/${fullName}/issues/${pr.number}`,
    commits_url: `${apiUrl}/commits`,
    statuses_url: `${urls.api}/repos/${fullName}/statuses/${pr.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: userJson(urls, login, 1),
    body: pr.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt ?? null,
    merged_at: pr.mergedAt ?? null,
    merge_commit_sha: pr.mergeCommitSha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branch(pr.head, pr.headSha),
    base: branch(pr.base, pr.baseSha),
    _links: {
      self: { href: apiUrl },
      html: { href: htmlUrl },
      issue: { href: `${urls.api}/repos/${fullName}/issues/${pr.number}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: false,
  };
  if (!full) return simple;
  return {
    ...simple,
    merged: pr.merged,
    mergeable: pr.state === 'open' ? true : null,
    rebaseable: pr.state === 'open' ? true : null,
    mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
    merged_by: pr.merged ? userJson(urls, login, 1) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 1,
    changed_files: 1,
  };
}

/** `GET /repos/{owner}/{repo}/commits/{ref}/check-runs`, one run. */
export function checkRunJson(
  urls: GitHubUrls,
  fullName: string,
  run: FakeGitHubCheckRun,
) {
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: Buffer.from(`08:CheckRun${run.id}`).toString('base64'),
    external_id: '',
    url: `${urls.api}/repos/${fullName}/check-runs/${run.id}`,
    html_url: `${urls.web}/${fullName}/runs/${run.id}`,
    details_url: `${urls.web}/${fullName}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt ?? null,
    output: { title: null, summary: null, text: null, annotations_count: 0 },
    name: run.name,
    check_suite: { id: run.id },
    app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
    pull_requests: [],
  };
}
