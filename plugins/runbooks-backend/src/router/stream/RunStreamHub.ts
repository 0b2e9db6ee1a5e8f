import { LoggerService } from '@backstage/backend-plugin-api';
import { RunBroker } from '../../broker/RunBroker';
import { SharedRunState } from './SharedRunState';
import { RunFeed, RunStreamListener, RunStreamTimings } from './types';

const DEFAULT_TIMINGS: RunStreamTimings = {
  coalesceMs: 50,
  fallbackPollMs: 5000,
  pageSize: 1000,
};

/**
 * Live views of runs on this replica: one {@link SharedRunState} per run
 * with clients, fed by the broker's change events, so that a hundred people
 * watching a run cost the database what one does.
 */
export class RunStreamHub {
  private readonly runs = new Map<string, SharedRunState>();
  private readonly timings: RunStreamTimings;

  constructor(
    private readonly deps: {
      feed: RunFeed;
      broker: RunBroker;
      logger?: LoggerService;
      timings?: Partial<RunStreamTimings>;
    },
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
  }

  /** How many runs have a live view here now. */
  get size(): number {
    return this.runs.size;
  }

  /**
   * Adds a client to a run's live view (made when it is the first), its log
   * from `after`; returns the function that removes it.
   */
  join(runId: string, listener: RunStreamListener, after = 0): () => void {
    let state = this.runs.get(runId);
    if (!state || state.closed) {
      const created: SharedRunState = new SharedRunState(
        runId,
        {
          ...this.deps,
          timings: this.timings,
          onClose: () => {
            if (this.runs.get(runId) === created) this.runs.delete(runId);
          },
        },
        after,
      );
      state = created;
      this.runs.set(runId, state);
    }
    return state.join(listener, after);
  }
}
