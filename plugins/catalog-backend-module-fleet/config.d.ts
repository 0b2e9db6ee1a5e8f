import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /** Fleetdeck's cluster inventories. */
      fleet?: {
        /** Reconciling what the inventories emitted with what the catalog serves. */
        reconcile?: {
          /** Default: every minute, first 5 s after start, timeout 1 minute. */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        };
        /** Ansible inventories, keyed by provider id. */
        ansible?: {
          [id: string]: {
            /** A local inventory file or directory (relative to the backend's working directory). */
            path?: string;
            /** Any URL the UrlReader can read. */
            url?: string;
            /** With url: read the directory tree (group_vars/, host_vars/) instead of one file. */
            directory?: boolean;
            schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
            /** Share of the clusters one refresh may remove (0..1, default 0.2). */
            maxShrinkRatio?: number;
            /** While owners are not in the catalog yet (org still ingesting): seconds until the next check (default 15). */
            ownerRecheckSeconds?: number;
            /** Largest inventory in bytes (default 20 MB). */
            maxInventorySize?: number;
            clusters?: {
              /** Group var that marks a group as a cluster (default fleetdeck_cluster). */
              groupVar?: string;
              /** Regular expression on group names that marks clusters. */
              groupPattern?: string;
            };
            /** Variable name per cluster field, e.g. owner: team. */
            fields?: { [field: string]: string };
          };
        };
        /** CMDB-style HTTP inventories, keyed by provider id. */
        http?: {
          [id: string]: {
            url: string;
            /**
             * Request headers, e.g. Authorization.
             * @visibility secret
             */
            headers?: { [name: string]: string };
            schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
            /** Request timeout in seconds (default 30). */
            timeoutSeconds?: number;
            maxShrinkRatio?: number;
            ownerRecheckSeconds?: number;
            maxInventorySize?: number;
            /** Dot path of the array of records in the document ('' for the document itself). */
            itemsPath?: string;
            /** Dot path into each record per cluster field, e.g. owner: team.ref. */
            fields?: { [field: string]: string };
            /** When nodes are objects: the dot path of the host name in each. */
            nodeField?: string;
          };
        };
      };
    };
  };
}
