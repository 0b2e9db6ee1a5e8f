import { GitHubReviewHost } from './GitHubReviewHost';
import { GitLabReviewHost } from './GitLabReviewHost';
import { PlainReviewHost } from './PlainReviewHost';
import {
  HostRepository,
  PullRequestRef,
  ReviewHost,
  ReviewHostOptions,
} from './types';

function pick(repo: HostRepository, options: ReviewHostOptions): ReviewHost {
  if (repo.github) return new GitHubReviewHost(options);
  if (repo.gitlab) return new GitLabReviewHost(options);
  return new PlainReviewHost();
}

/**
 * The review host serving `repo`: GitHub, GitLab, or a plain git server's
 * compare link. Given only a URL (as the apply worker and the service ask),
 * a host that picks per call from the `HostRepository` it is handed.
 */
export function reviewHostFor(
  repo: HostRepository | string,
  options: ReviewHostOptions = {},
): ReviewHost {
  if (typeof repo !== 'string') return pick(repo, options);
  return {
    openPullRequest: (r: HostRepository, input) =>
      pick(r, options).openPullRequest(r, input),
    readPullRequest: (r: HostRepository, pr: PullRequestRef, etag?: string) =>
      pick(r, options).readPullRequest(r, pr, etag),
    closePullRequest: (r: HostRepository, pr: PullRequestRef) =>
      pick(r, options).closePullRequest(r, pr),
  };
}
