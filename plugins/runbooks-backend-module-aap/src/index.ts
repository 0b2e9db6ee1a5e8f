/**
 * The `aap` executor of Fleetdeck runbooks: launches AWX / Ansible
 * Automation Platform job templates.
 *
 * @packageDocumentation
 */
export { runbooksModuleAap as default } from './module';
export { AapExecutor, aapInputSchema } from './AapExecutor';
export type { AapExecutorOptions } from './AapExecutor';
