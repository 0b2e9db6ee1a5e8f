export interface Config {
  fleetdeck?: {
    git?: {
      /**
       * Git servers that `publish:git` may push new repositories to and that
       * the catalog may read `catalog-info.yaml` files from. A remote is only
       * used when it starts with one of these base URLs.
       */
      servers?: Array<{
        /** Short name templates use to pick the server, e.g. `onprem`. */
        name: string;
        /**
         * Base URL new repositories go under, as `<baseUrl>/<repo>.git`:
         * `https://git.example.com/scm`, `ssh://git@git.example.com/scm`,
         * `file:///srv/git`, or a plain directory (relative to the backend's
         * working directory) for a local mirror.
         */
        baseUrl: string;
        /** User name sent with `token` over HTTPS; `x-access-token` if unset. */
        username?: string;
        /**
         * Token for HTTPS remotes, sent as a basic-auth header.
         * @visibility secret
         */
        token?: string;
        /**
         * Private key (PEM/OpenSSH) for `ssh://` remotes.
         * @visibility secret
         */
        sshPrivateKey?: string;
        /** `known_hosts` lines for SSH; without them new host keys are accepted. */
        sshKnownHosts?: string;
        /**
         * Create a missing repository with `git init --bare` before the first
         * push. Only for local (`file://`) servers; other hosts create
         * repositories through their own API or on push.
         */
        createRepositories?: boolean;
      }>;
    };
    gitops?: {
      /** The central GitOps repository that `fleetdeck:gitops:register` adds services to. */
      repoUrl?: string;
      /** Its main branch; `main` if unset. */
      branch?: string;
    };
  };
}
