export type {
  HostRepository,
  PullRequestRef,
  PullRequestStatus,
  ReviewHost,
  ReviewHostOptions,
} from './types';
export { ReviewHostError } from './ReviewHostError';
export { reviewHostFor } from './reviewHostFor';
export { hostRepositoryFromConfig } from './hostRepositoryFromConfig';
export { GitHubReviewHost } from './GitHubReviewHost';
export { GitLabReviewHost } from './GitLabReviewHost';
export { PlainReviewHost } from './PlainReviewHost';
