import {
  HostRepository,
  PullRequestRef,
  PullRequestStatus,
  ReviewHost,
} from './types';

/** The repository's path on its server, e.g. `team/payments` for `https://git.example/team/payments.git`. */
function repositoryPath(url: string): string {
  const scp = /^[^/@]+@[^:/]+:(.+)$/.exec(url);
  const path = scp ? scp[1] : new URL(url).pathname;
  return path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
}

/** Escapes a branch name for a URL path, keeping its slashes. */
const branchPath = (branch: string) =>
  branch.split('/').map(encodeURIComponent).join('/');

/**
 * A plain git server has no pull requests: "opening" one gives the link
 * comparing the branches (from `compareUrl`), or the repository's page.
 */
export class PlainReviewHost implements ReviewHost {
  async openPullRequest(
    repo: HostRepository,
    input: { base: string; head: string },
  ): Promise<PullRequestRef> {
    if (!repo.compareUrl) return { url: repo.webUrl ?? repo.url };
    const url = repo.compareUrl
      .replace(/\{repo\}/g, repositoryPath(repo.url))
      .replace(/\{base\}/g, branchPath(input.base))
      .replace(/\{head\}/g, branchPath(input.head));
    return { url };
  }

  async readPullRequest(): Promise<PullRequestStatus | undefined> {
    return undefined;
  }

  async closePullRequest(): Promise<void> {}
}
