/**
 * Fleet-wide changes: the recipe a change applies in every repository, the
 * change and per-repository states, the API's request and response shapes,
 * and the plugin's permissions.
 *
 * @packageDocumentation
 */
export * from './recipe';
export * from './change';
export * from './types';
export * from './permissions';
