/**
 * Fleetdeck's scaffolder actions (`publish:git`, `fleetdeck:gitops:register`,
 * `fleetdeck:service:preflight`) and the URL reader that lets the catalog read
 * repositories on plain git servers.
 *
 * @packageDocumentation
 */
export { scaffolderModuleFleet as default } from './module';
export { createPublishGitAction } from './actions/publishGit';
export { createGitopsRegisterAction } from './actions/gitopsRegister';
export { createServicePreflightAction } from './actions/servicePreflight';
export { GitUrlReader } from './reader/GitUrlReader';
export { gitUrlReaderFactory } from './reader/gitUrlReaderFactory';
