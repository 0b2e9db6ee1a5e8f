import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  deployments?: {
    /** Argo CD as a pull source of deployments. */
    argocd?: {
      /** Base URL of the Argo CD server, e.g. https://argocd.example.com */
      baseUrl: string;
      /**
       * API token of an Argo CD account with `applications, get` permission.
       * @visibility secret
       */
      token: string;
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * Applications to read, by name. Applications annotated with
       * `fleetdeck.io/entity-ref` and `fleetdeck.io/environment` are read too.
       */
      applications?: Array<{
        name: string;
        entityRef: string;
        environment: string;
      }>;
    };
  };
}
