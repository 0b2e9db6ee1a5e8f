export interface Config {
  runbooks?: {
    /** The `aap` executor: launches AWX / Ansible Automation Platform job templates. */
    aap?: {
      /** Base URL of the controller (or the AAP 2.5 gateway), e.g. https://aap.example.com */
      baseUrl: string;
      /**
       * Path of the API below baseUrl: `/api/v2/` (AWX, AAP 2.4 and older,
       * the default) or `/api/controller/v2/` (behind the AAP 2.5 gateway).
       */
      apiPath?: string;
      /**
       * OAuth2 / personal access token of a user with Execute on the job
       * templates runbooks launch (and so Read on their jobs).
       * @visibility secret
       */
      token: string;
      /** PEM certificate(s) of the CA that signed the controller's TLS certificate, when not a public one. */
      ca?: string;
      /** Milliseconds between two polls of a running job; default 1000. */
      pollIntervalMs?: number;
      /** Retries of a request answered 429 or 5xx, or not answered; default 5. */
      retries?: number;
    };
  };
}
