/**
 * The `ansible` executor of Fleetdeck runbooks: runs ansible-playbook.
 *
 * @packageDocumentation
 */
export { runbooksModuleAnsible as default } from './module';
export { AnsibleExecutor, ansibleInputSchema } from './AnsibleExecutor';
export type { AnsibleExecutorOptions } from './AnsibleExecutor';
export { resolveRunAs } from './runAs';
export type { RunAsUser } from './runAs';
