/**
 * Fleetdeck's Cluster kind: types, zod and JSON schemas, type guards and helpers
 * shared by the catalog module, the Fleet frontend and the runbooks engine;
 * and the entity ref and kind helpers every Fleetdeck package uses.
 *
 * @packageDocumentation
 */
export * from './schema';
export * from './types';
export * from './validate';
export * from './jsonSchema';
export * from './helpers';
export * from './refs';
export * from './versionPolicy';
