/**
 * The fleet-wide changes backend: code search over service repositories,
 * changes applied as one pull request per repository, tracked to merge.
 *
 * @packageDocumentation
 */
export { changesPlugin as default } from './plugin';
