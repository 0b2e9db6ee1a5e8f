/**
 * The Fleet frontend: the Fleet page and the cluster cards. The default export
 * is the plugin for the new frontend system; legacy apps import from
 * `@fleetdeck/plugin-fleet/legacy`.
 *
 * @packageDocumentation
 */
import { fleetPlugin } from './plugin';

export default fleetPlugin;
