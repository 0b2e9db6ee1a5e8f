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
