/**
 * What every Fleetdeck backend plugin shares: running git safely, audit
 * events around mutating operations, secret redaction, and request input
 * and cursor parsing that answers bad input with a 400, and a HashiCorp
 * Vault client.
 *
 * @packageDocumentation
 */
export * from './git';
export * from './audit';
export * from './redaction';
export * from './input';
export * from './vault';
