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
    /**
     * Recipes operators define for everyone to make changes from: the
     * trusted source of recipes, so their steps may include `command` steps
     * (argv, no shell, run in a bubblewrap sandbox in each checkout), which
     * recipes sent through the API, the actions or templates may not. Keyed
     * by name (lowercase letters and digits joined by dashes), which a change
     * gives as `recipeName`. Read and validated at startup (an invalid recipe
     * stops the backend, naming it); a change copies its recipe's steps, so
     * editing one later does not alter changes made from it.
     *
     * Config substitutes `${VAR}` in strings: write `$${` for a literal one.
     */
    recipes?: {
      [name: string]: {
        /** Shown in the new-change form. */
        title: string;
        /** What the recipe does and when to use it, shown under its title. */
        description?: string;
        /**
         * The edits, applied in order, with the fields of the recipe steps of
         * `@fleetdeck/plugin-changes-common` (validated with its schema at
         * startup): `replace` (files, pattern, fixedString, flags,
         * replacement), `setField` (files, path, value, create) and
         * `command` (command: the argv; timeoutSeconds, 60 if unset).
         */
        steps: Array<{
          type: 'replace' | 'setField' | 'command';
          files?: string[];
          pattern?: string;
          fixedString?: boolean;
          flags?: string;
          replacement?: string;
          path?: string;
          value?: string | number | boolean;
          create?: boolean;
          command?: string[];
          timeoutSeconds?: number;
        }>;
      };
    };
  };
}
