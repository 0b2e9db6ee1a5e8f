/**
 * Deployment records, environment ordering, diff types and permissions shared
 * by the deployments plugins.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './schema';
export * from './permissions';
export * from './environments';
