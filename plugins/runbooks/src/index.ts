/**
 * Runbooks in the portal: run from an entity page or across the fleet, watch
 * it live, approve, retry. The default export is the plugin for the new
 * frontend system; legacy apps import from `@fleetdeck/plugin-runbooks/legacy`.
 *
 * @packageDocumentation
 */
import { runbooksPlugin } from './plugin';

export default runbooksPlugin;
