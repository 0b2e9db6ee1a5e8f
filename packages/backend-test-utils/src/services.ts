import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';

const SERVICE_TOKEN_PREFIX = 'Bearer mock-service-token:';

/**
 * An httpAuth service for `startTestBackend` that behaves like the real one for
 * on-behalf-of calls between plugins.
 *
 * Backstage's mock turns a plugin's on-behalf-of token back into plain user
 * credentials; real ones carry the calling plugin as `actor`, which the
 * permission backend requires before it evaluates conditional decisions.
 */
export const httpAuthWithActors = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory: ({ plugin }) => {
    const inner = mockServices.httpAuth({ pluginId: plugin.getId() });
    return {
      issueUserCookie: (res, options) => inner.issueUserCookie(res, options),
      credentials: (async (req, options) => {
        const credentials: BackstageCredentials<any> = await inner.credentials(
          req,
          options,
        );
        const header = req.headers.authorization ?? '';
        if (header.startsWith(SERVICE_TOKEN_PREFIX)) {
          const token = JSON.parse(header.slice(SERVICE_TOKEN_PREFIX.length));
          if (token.obo && credentials.principal.type === 'user') {
            credentials.principal.actor = {
              type: 'service',
              subject: token.sub,
            };
          }
        }
        return credentials;
      }) as typeof inner.credentials,
    };
  },
});

/**
 * A userInfo service for `startTestBackend` that reports group memberships the
 * way the catalog's sign-in resolvers would: the user's own ref plus the
 * groups listed for it.
 */
export function userInfoFromMemberships(memberships: Record<string, string[]>) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials: BackstageCredentials) {
        const { userEntityRef } = credentials.principal as {
          userEntityRef: string;
        };
        return {
          userEntityRef,
          ownershipEntityRefs: [
            userEntityRef,
            ...(memberships[userEntityRef] ?? []),
          ],
        };
      },
    }),
  });
}
