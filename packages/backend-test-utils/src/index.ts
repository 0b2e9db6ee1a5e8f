/**
 * Test helpers shared by Fleetdeck's backend plugins.
 *
 * @packageDocumentation
 */
export { httpAuthWithActors, userInfoFromMemberships } from './services';
export { FakeAwxServer } from './fakes/awx';
export type {
  FakeAwxEvent,
  FakeAwxHostResult,
  FakeAwxJson,
  FakeAwxLaunch,
  FakeAwxServerOptions,
  FakeAwxTemplate,
} from './fakes/awx';
export { FakeVault } from './fakes/vault';
export type {
  FakeVaultCapability,
  FakeVaultGrant,
  FakeVaultRequest,
  FakeVaultRule,
} from './fakes/vault';
export { listenLocal } from './fakes/listen';
export { startGitServer } from './fakes/gitServer';
export type { FakeGitServer, FakeGitServerOptions } from './fakes/gitServer';
export type { FakeGitPush } from './fakes/gitBackend';
export type { FakeForgeFailure, FakeForgeRequest } from './fakes/fakeForge';
export { FakeGitHubServer } from './fakes/github';
export type {
  FakeGitHubCheckRun,
  FakeGitHubPull,
  FakeGitHubServerOptions,
} from './fakes/github';
export { FakeGitLabServer } from './fakes/gitlab';
export type {
  FakeGitLabMergeRequest,
  FakeGitLabPipelineStatus,
  FakeGitLabProject,
  FakeGitLabServerOptions,
} from './fakes/gitlab';
export { countGitProcesses, gitSync, TEST_GIT_IDENTITY } from './git/git';
export type { GitProcessCount } from './git/git';
