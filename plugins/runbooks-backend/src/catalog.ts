/**
 * The catalog module of the runbooks backend: the Runbook kind.
 *
 * @packageDocumentation
 */
export { catalogModuleRunbookKind as default } from './catalog/module';
export { RunbookEntityProcessor } from './catalog/RunbookEntityProcessor';
