export interface Config {
  /** Maintenance runbooks (@fleetdeck/plugin-runbooks-backend and its executor modules). */
  runbooks?: {
    worker?: {
      /** Run targets in this replica (default true). */
      enabled?: boolean;
      /** Targets one replica runs at once, over all runs (default 50). */
      maxParallel?: number;
      /** How often an idle worker looks for targets, e.g. `1s`. */
      pollInterval?: string;
      /** How often a worker renews its claims, e.g. `5s`. */
      heartbeatInterval?: string;
      /** A claim whose heartbeat is older than this is taken over, e.g. `60s`. */
      staleAfter?: string;
      /** Step timeout when a runbook sets none, e.g. `30m`. */
      defaultTimeout?: string;
    };
    schedules?: {
      /** Start scheduled runbooks (default true). */
      enabled?: boolean;
      /** How often due cron occurrences are checked, e.g. `1m`. */
      checkInterval?: string;
    };
    /**
     * Key that encrypts a run's secret parameters (`format: password`,
     * `ui:field: Secret` or `secret: true` in the runbook's schema) where
     * runs are stored; at least 24 characters, the same on every replica.
     * Without it, runbooks with secret parameters cannot be started.
     * @visibility secret
     */
    encryptionKey?: string;
    /**
     * Secrets steps can use as `${{ secrets.NAME }}`; redacted from logs,
     * outputs and errors.
     * @visibility secret
     */
    secrets?: { [name: string]: string };
    ansible?: {
      command?: string;
      inventoryVars?: { [name: string]: string | number | boolean };
      /** Environment variables for ansible-playbook (the runner's are not passed on). */
      env?: { [name: string]: string };
    };
    ssh?: {
      user: string;
      port?: number;
      /** @visibility secret */
      privateKey?: string;
      /** @visibility secret */
      passphrase?: string;
      hostKeyFingerprints?: string[];
      allowUnknownHostKeys?: boolean;
    };
    http?: {
      /** Hosts the http executor may call: exact names or `*.suffix`. */
      allowedHosts?: string[];
    };
    tls?: {
      minDaysLeft?: number;
      /** Extra PEM CA certificates to trust. */
      ca?: string[];
    };
  };
}
