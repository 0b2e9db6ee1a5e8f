/**
 * The executor extension point of the runbooks backend, and helpers for
 * executors: process spawning without a shell, secret redaction.
 *
 * @packageDocumentation
 */
export * from './executor';
export * from './extensions';
export { spawnProcess } from './spawnProcess';
export type { SpawnProcessOptions } from './spawnProcess';
// Redaction lives in the shared library; re-exported so executors keep
// importing it from here.
export {
  assertRedactable,
  MIN_SECRET_LENGTH,
  Redactor,
  REDACTED,
  redactingLogger,
  StreamRedactor,
} from '@fleetdeck/fleetdeck-node';
export * from './networkPolicy';
