/**
 * What every Fleetdeck backend plugin shares: running git safely, audit
 * events around mutating operations, secret redaction, and request input
 * and cursor parsing that answers bad input with a 400, a HashiCorp
 * Vault client, and runProgram, which starts programs from a small launcher
 * process instead of forking the backend.
 *
 * @packageDocumentation
 */
export * from './git';
export * from './audit';
export * from './redaction';
export * from './input';
export * from './vault';
export * from './process';
