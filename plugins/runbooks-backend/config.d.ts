export interface Config {
  /**
   * HashiCorp Vault, where `runbooks.secrets.*.value` can be read from
   * (`vault:<path>#<key>`) and where the `vault` runbook executor writes.
   */
  vault?: {
    /** Vault's address, e.g. `https://vault.example.com:8200`. */
    baseUrl: string;
    /** Vault Enterprise namespace (sent as `X-Vault-Namespace`). */
    namespace?: string;
    /** PEM CA certificate to trust for an https `baseUrl`. */
    ca?: string;
    /**
     * Seconds a secret read is kept when Vault gives it no lease (KV v2 does
     * not); default 60, 0 reads it at every use.
     */
    cacheTtlSeconds?: number;
    /** How the portal logs in: exactly one of `token`, `appRole`, `kubernetes`. */
    auth: {
      /**
       * A Vault token; checked with lookup-self at first use.
       * @visibility secret
       */
      token?: string;
      appRole?: {
        roleId: string;
        /** @visibility secret */
        secretId: string;
        /** Where the AppRole auth method is mounted (default `approle`). */
        mount?: string;
      };
      kubernetes?: {
        /** Vault's Kubernetes auth role. */
        role: string;
        /** Default `/var/run/secrets/kubernetes.io/serviceaccount/token`. */
        jwtPath?: string;
        /** Where the Kubernetes auth method is mounted (default `kubernetes`). */
        mount?: string;
      };
    };
  };
  /** Maintenance runbooks (@fleetdeck/plugin-runbooks-backend and its executor modules). */
  runbooks?: {
    worker?: {
      /** Run targets in this replica (default true). */
      enabled?: boolean;
      /** Targets one replica runs at once, over all runs (default 50). */
      maxParallel?: number;
      /**
       * Commits of run progress one replica keeps in flight (default 1; at
       * most 4, and 1 on SQLite). Raise it when the database is far away.
       */
      parallelCommits?: number;
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
     * Where runbooks may come from besides the catalog locations of
     * app-config (`catalog.locations`), which are always trusted: location
     * refs such as `url:https://github.com/bank/ops-runbooks/blob/main/` (a
     * ref ending in `/` covers everything below it). Runbooks from anywhere
     * else are listed but cannot run; targets must come from the same
     * places or from an inventory provider.
     */
    trustedSources?: string[];
    /**
     * Secrets steps can use as `${{ secrets.NAME }}`, each with the runbooks
     * or runbook owner groups that may use it; at least 8 characters;
     * redacted from logs, outputs and errors.
     */
    secrets?: {
      [name: string]: {
        /**
         * The value, or `vault:<path>#<key>` to read it from Vault (`vault`)
         * when a run starts executing, e.g.
         * `vault:secret/data/fleetdeck/kafka#password` (the KV v2 API path).
         * @visibility secret
         */
        value: string;
        /** Runbook refs that may use the secret, e.g. `runbook:default/kafka-rolling-patch`. */
        runbooks?: string[];
        /** Groups whose runbooks may use the secret, e.g. `group:default/platform-kafka`. */
        owners?: string[];
      };
    };
    ansible?: {
      command?: string;
      /**
       * Host variables for every host, e.g. `ansible_user` or
       * `ansible_python_interpreter`: trusted operator config, the only place
       * `ansible_*` variables can be set (a step's extraVars and inventoryVars
       * cannot).
       */
      inventoryVars?: { [name: string]: string | number | boolean };
      /** Environment variables for ansible-playbook (the runner's are not passed on). */
      env?: { [name: string]: string };
      /**
       * The OS user ansible-playbook runs as, e.g. `fleetdeck-runner`, when the
       * backend runs as root (a root backend without it logs a warning at
       * startup; a backend that is neither root nor this user fails to start).
       * The playbook and its runbook's directory must be readable by it.
       */
      runAs?: string;
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
      /**
       * Where the http executor may connect, at every redirect hop: host names
       * (exact, or `*.suffix` for subdomains), IP addresses and CIDR ranges,
       * IPv4 or IPv6 (e.g. `api.example.com`, `*.ops.example.com`,
       * `10.20.0.0/16`, `fd00:1::/32`). A name is resolved and every address
       * it resolves to is checked: loopback, link-local (with the cloud
       * metadata address 169.254.169.254), private, unspecified, CGNAT and
       * other non-public addresses, IPv4-mapped forms included, are refused
       * unless an entry names that address or a range containing it (naming
       * `localhost` alone does not allow 127.0.0.1). Absent or empty: no host
       * may be called.
       */
      allowedHosts?: string[];
    };
    tls?: {
      /** Fail a check when a certificate expires within this many days (default 14). */
      minDaysLeft?: number;
      /** Extra PEM CA certificates to trust. */
      ca?: string[];
      /**
       * Endpoints the tls executor may connect to (a step's `endpoints` or a
       * target's `spec.endpoints`): the same entries and rules as
       * `runbooks.http.allowedHosts`. Absent or empty: no endpoint may be
       * checked.
       */
      allowedHosts?: string[];
    };
  };
}
