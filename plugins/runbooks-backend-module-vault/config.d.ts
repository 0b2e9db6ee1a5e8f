export interface Config {
  runbooks?: {
    /** The `vault` runbook executor (Vault itself is configured under `vault`). */
    vault?: {
      /**
       * KV v2 API path prefixes steps may write to, e.g.
       * `secret/data/fleetdeck/certs/` (a prefix ending in `/` covers what is
       * below it; one without covers that path and what is below it).
       * Absent or empty: steps may write nowhere.
       */
      writablePaths?: string[];
      /**
       * PKI issue paths steps may issue certificates from, e.g.
       * `pki/issue/fleetdeck-kafka`. Absent or empty: none.
       */
      pkiRoles?: string[];
    };
  };
}
