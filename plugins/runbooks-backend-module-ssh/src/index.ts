/**
 * The `ssh` executor of Fleetdeck runbooks: commands on cluster nodes.
 *
 * @packageDocumentation
 */
export { runbooksModuleSsh as default } from './module';
export { SshExecutor, sshInputSchema } from './SshExecutor';
export type { SshExecutorOptions } from './SshExecutor';
export { shellQuote, toCommandLine } from './shellQuote';
