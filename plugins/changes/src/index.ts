/**
 * Fleet-wide changes frontend: code search across every service, changes
 * with previews and pull requests in each repository, their tracking pages,
 * and the Changes card on Component pages. The default export is the plugin
 * for the new frontend system; legacy apps import from
 * `@fleetdeck/plugin-changes/legacy`.
 *
 * @packageDocumentation
 */
import { changesPlugin } from './plugin';

export default changesPlugin;
export * from './api';
