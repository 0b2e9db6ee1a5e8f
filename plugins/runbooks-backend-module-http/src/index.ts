/**
 * The `http` executor of Fleetdeck runbooks: allow-listed HTTP calls.
 *
 * @packageDocumentation
 */
export { runbooksModuleHttp as default } from './module';
export { HttpExecutor, httpInputSchema, isHostAllowed } from './HttpExecutor';
