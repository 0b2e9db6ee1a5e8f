import { RunStore } from './RunStore';
import { ClaimedTarget } from './types';

/**
 * Claims up to `limit` pending targets for a worker, as a worker's idle
 * commit does (stale claims are put back first): for tests that play the
 * worker's part by hand.
 */
export async function claimTargets(
  store: Pick<RunStore, 'commit'>,
  options: { workerId: string; limit: number; staleAfterMs: number },
): Promise<ClaimedTarget[]> {
  const { claimed } = await store.commit([], { ...options, search: true });
  return claimed;
}
