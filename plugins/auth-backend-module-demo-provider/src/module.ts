import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import {
  assertDemoSignInAllowed,
  createDemoAuthenticator,
  DemoAuthResult,
} from './authenticator';

/**
 * The `demo` auth provider: sign in as any User entity of the catalog, so a
 * demo can show what a second person (an approver, an admin) sees. It signs
 * in without any credential, so it fails closed: when `auth.providers.demo`
 * is configured and `auth.environment` is not explicitly `development`, the
 * backend refuses to start. Unlike the guest provider a user must exist in
 * the catalog: the identity and its group memberships are the catalog's.
 * @public
 */
export const authModuleDemoProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        if (!config.has('auth.providers.demo')) return;
        const authEnvironment = config.getOptionalString('auth.environment');
        // Throwing here aborts the backend's start: a bank's operator sees
        // the refusal at deploy time, not a sign-in page that lets anyone in.
        assertDemoSignInAllowed(authEnvironment);
        logger.warn(
          'The demo auth provider lets anyone sign in as any catalog user; never enable it in production',
        );
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory<DemoAuthResult>({
            authenticator: createDemoAuthenticator({ authEnvironment }),
            async signInResolver({ result }, ctx) {
              const ref = parseEntityRef(result.userName, {
                defaultKind: 'user',
                defaultNamespace: 'default',
              });
              return ctx.signInWithCatalogUser({
                entityRef: stringifyEntityRef(ref),
              });
            },
          }),
        });
      },
    });
  },
});
