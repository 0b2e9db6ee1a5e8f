/**
 * The `http` executor of Fleetdeck runbooks: allow-listed HTTP calls.
 *
 * @packageDocumentation
 */
export { runbooksModuleHttp as default } from './module';
export {
  HttpExecutor,
  httpInputSchema,
  HTTP_ALLOWED_HOSTS_SETTING,
  MAX_REDIRECTS,
} from './HttpExecutor';
