/**
 * Deployments backend: ingestion API, pull sources, git mirrors, the diff
 * engine with GitHub enrichment, and the fleet drift summary.
 *
 * @packageDocumentation
 */
export { deploymentsPlugin as default } from './plugin';
