/**
 * The `tls` executor of Fleetdeck runbooks: certificate expiry checks.
 *
 * @packageDocumentation
 */
export { runbooksModuleTls as default } from './module';
export { TlsExecutor, tlsInputSchema } from './TlsExecutor';
export type { EndpointCertificate } from './TlsExecutor';
