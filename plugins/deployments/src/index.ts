/**
 * Deployments frontend: the Deployments tab on Components and the Drift page.
 * The default export is the plugin for the new frontend system; legacy apps
 * import from `@fleetdeck/plugin-deployments/legacy`.
 *
 * @packageDocumentation
 */
import { deploymentsPlugin } from './plugin';

export default deploymentsPlugin;
export { deploymentsApiRef, type DeploymentsApi } from './api/DeploymentsApi';
export { DeploymentsClient } from './api/DeploymentsClient';
