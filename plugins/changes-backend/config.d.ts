import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Fleet-wide changes: code search, batch pull requests, tracking. */
  changes?: {
    /**
     * Where the bare mirrors and the throwaway checkouts live; a directory
     * under the OS temp dir if unset.
     */
    workDir?: string;
    /**
     * Which repositories the plugin may clone, search and push to (the SSRF
     * guard). Default: the hosts of the `integrations.github` and
     * `integrations.gitlab` entries, and no local directory.
     */
    git?: {
      /** Git hosts (`host` or `host:port`). */
      allowedHosts?: string[];
      /** Directories local repositories may be under. */
      allowedRoots?: string[];
      /** Hosts of allowedHosts that may be reached over plain http (no TLS). */
      allowedHttpHosts?: string[];
    };
    /** The committer of every change's commit (its author is the person who applied it). */
    committer?: { name: string; email: string };
    /** Repositories worked on at once by each backend replica; 8 if unset. */
    workerSlots?: number;
    /** Timings of the preview and apply worker. */
    worker?: {
      /** How often a worker marks the repositories it works on as alive; 5 if unset. */
      heartbeatSeconds?: number;
      /**
       * After how long without a heartbeat a repository's claim is taken over
       * by another worker (its own died); 30 if unset. Keep it well above
       * heartbeatSeconds.
       */
      staleSeconds?: number;
    };
    /** How often open pull requests are read from their hosts; 5 minutes if unset. */
    trackingFrequency?: HumanDuration;
    /** How often every mirror is fetched for search; 30 minutes if unset. */
    mirrorRefreshFrequency?: HumanDuration;
  };
}
