import { PullRequestStatus } from './types';

/** A GitHub pull request's state as the changes backend names it. */
export function stateOf(pr: {
  merged: boolean;
  state: string;
}): PullRequestStatus['state'] {
  if (pr.merged) return 'merged';
  return pr.state === 'closed' ? 'closed' : 'open';
}

const FAILED = [
  'failure',
  'timed_out',
  'cancelled',
  'action_required',
  'startup_failure',
];

/** What the check runs of a commit add up to; undefined when it has none. */
export function checksOf(
  runs: { status: string; conclusion: string | null }[],
): PullRequestStatus['checks'] {
  if (!runs.length) return undefined;
  if (runs.some(r => r.conclusion && FAILED.includes(r.conclusion))) {
    return 'failing';
  }
  return runs.every(r => r.status === 'completed') ? 'passing' : 'pending';
}

/**
 * What `readPullRequest` hands back as its etag: the last status and the
 * ETags of both reads (pull request, check runs), so that an unchanged
 * pull request costs two 304s, which GitHub does not count. About 200
 * characters with GitHub's `W/"<sha256>"` ETags: it fits a varchar(255).
 */
export interface ReadState {
  state: PullRequestStatus['state'];
  checks?: PullRequestStatus['checks'];
  sha: string;
  pullEtag: string;
  checksEtag: string;
}

/** The etag of a read, as `readPullRequest` returns it. */
export function encodeEtag(s: ReadState): string {
  return ['gh1', s.state, s.checks ?? '', s.sha, s.pullEtag, s.checksEtag].join(
    '|',
  );
}

/** A read's etag taken apart; undefined when it is not one of ours. */
export function decodeEtag(etag: string | undefined): ReadState | undefined {
  const [version, state, checks, sha, pullEtag, checksEtag] = (
    etag ?? ''
  ).split('|');
  if (version !== 'gh1' || !['open', 'merged', 'closed'].includes(state)) {
    return undefined;
  }
  return {
    state: state as ReadState['state'],
    checks: (checks || undefined) as ReadState['checks'],
    sha,
    pullEtag,
    checksEtag,
  };
}
