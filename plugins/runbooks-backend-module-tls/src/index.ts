/**
 * The `tls` executor of Fleetdeck runbooks: certificate expiry checks.
 *
 * @packageDocumentation
 */
export { runbooksModuleTls as default } from './module';
export {
  TlsExecutor,
  tlsInputSchema,
  TLS_ALLOWED_HOSTS_SETTING,
} from './TlsExecutor';
export type { EndpointCertificate, TlsExecutorOptions } from './TlsExecutor';
