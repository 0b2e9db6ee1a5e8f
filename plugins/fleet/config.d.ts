export interface Config {
  /** Fleetdeck's Fleet page and cluster views. */
  fleet?: {
    /**
     * Supported versions per engine (kafka, mongodb, postgresql, kubernetes,
     * redis, other). The catalog backend refuses to start when it is malformed.
     * @visibility frontend
     */
    versionPolicy?: {
      [engine: string]: {
        /**
         * Lowest supported version; anything below is outdated.
         * @visibility frontend
         */
        minimum: string;
        /**
         * Version lines out of support (e.g. 3.5 for every 3.5.x), all below the minimum.
         * @visibility frontend
         */
        endOfLife?: string[];
        /**
         * The version the patch runbook installs (default: the minimum).
         * @visibility frontend
         */
        target?: string;
        /**
         * The runbook that patches a cluster, taking a `version` parameter.
         * @visibility frontend
         */
        runbook?: string;
      };
    };
  };
}
