/**
 * Runbook kind, run and target states, permissions and API types shared by the
 * runbooks backend, its executors and the portal.
 *
 * @packageDocumentation
 */
export * from './entity';
export * from './filter';
export * from './permissions';
export * from './api';
export * from './cron';
