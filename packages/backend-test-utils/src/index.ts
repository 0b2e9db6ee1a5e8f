/**
 * Test helpers shared by Fleetdeck's backend plugins.
 *
 * @packageDocumentation
 */
export { httpAuthWithActors, userInfoFromMemberships } from './services';
