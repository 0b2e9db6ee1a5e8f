/**
 * A demo-only auth provider: sign in as any catalog User, for showing a
 * second identity (e.g. an approver) in development and demos.
 *
 * @packageDocumentation
 */
export { authModuleDemoProvider as default } from './module';
export {
  DEMO_USER_HEADER,
  assertDemoSignInAllowed,
  createDemoAuthenticator,
} from './authenticator';
export type { DemoAuthResult } from './authenticator';
