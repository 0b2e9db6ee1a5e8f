import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Fleetdeck deployments: which commit runs where, and what lies between. */
  deployments?: {
    /**
     * Environments in promotion order, e.g. [dev, staging, production].
     * Deployments to other environments are rejected.
     * @visibility frontend
     */
    environments?: string[];
    /**
     * The environment the drift page measures against; defaults to the last one.
     * @visibility frontend
     */
    productionEnvironment?: string;
    git?: {
      /** Where the bare mirrors live; defaults to $FLEETDECK_DATA_DIR/git-mirrors or .fleetdeck/git-mirrors under the working directory. */
      cacheDir?: string;
      /** Git hosts that may be mirrored (SSRF guard); defaults to the hosts of the GitHub and GitLab integrations. */
      allowedHosts?: string[];
      /** Local directories whose repositories may be mirrored; `fleetdeck.io/git-repo: <name>` is looked up under them. */
      allowedRoots?: string[];
      /** Most commits stored per range side (counts stay exact beyond it). Default 50,000. */
      maxCommits?: number;
      /** How often every current SHA is checked against its mirror (fetching only what is missing). */
      syncSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    links?: {
      /** Ticket keys to link, e.g. `{ pattern: '\\b[A-Z]+-\\d+\\b', url: 'https://jira.example.com/browse/{key}' }`. */
      tickets?: Array<{ pattern: string; url?: string }>;
      pullRequests?: {
        /** Regular expression whose first matching group is the PR number. */
        pattern?: string;
        /** URL template with {number}, {repo} and {webUrl}; GitHub and GitLab need none. */
        url?: string;
      };
    };
    /** JSON files of deployments to import on a schedule (idempotent). */
    importFiles?: {
      paths: string[];
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
  };
}
