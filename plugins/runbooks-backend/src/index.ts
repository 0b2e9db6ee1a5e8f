/**
 * The runbooks backend: durable maintenance runs fanned out over many
 * catalog entities, with approvals, schedules, recovery and an HTTP API.
 *
 * Also exports `./catalog` (the Runbook kind) and `./scaffolder` (the
 * `runbooks:run` action) as modules to install next to it.
 *
 * @packageDocumentation
 */
export { runbooksPlugin as default } from './plugin';
export { RunStore } from './database/RunStore';
export { RunWorker } from './engine/RunWorker';
export type { RunWorkerOptions } from './engine/RunWorker';
export { DefaultRunBroker } from './broker';
export type {
  ChangeOrigin,
  DefaultRunBrokerOptions,
  RunBroker,
  RunChange,
} from './broker';
export { SecretScopes } from './trust/SecretScopes';
export { TrustPolicy } from './trust/TrustPolicy';
export type { Trust } from './trust/TrustPolicy';
