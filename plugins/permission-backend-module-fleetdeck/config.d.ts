export interface Config {
  fleetdeck?: {
    permissions?: {
      /**
       * Entity refs of the groups whose members may do everything in the
       * portal, e.g. `group:default/fleetdeck-admins`.
       */
      adminGroups?: string[];
    };
  };
}
