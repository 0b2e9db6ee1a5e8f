import { InputError, NotAllowedError } from '@backstage/errors';
import { createProxyAuthenticator } from '@backstage/plugin-auth-node';

/** The header the demo sign-in page sends with the chosen user's name. @public */
export const DEMO_USER_HEADER = 'x-fleetdeck-demo-user';

/** What the demo authenticator hands to the sign-in resolver. @public */
export interface DemoAuthResult {
  /** Name of a User entity, e.g. `olivia.brown` or `default/olivia.brown`. */
  userName: string;
}

const namePattern =
  /^(?:[a-z0-9][a-z0-9._-]{0,62}\/)?[a-z0-9][a-z0-9._-]{0,62}$/i;

/**
 * Signs in as the catalog user named in the request, without any secret:
 * only for demos and development. Disabled unless `auth.environment` is
 * `development` or the provider sets `dangerouslyAllowOutsideDevelopment`.
 * @public
 */
export function createDemoAuthenticator(options: { authEnvironment: string }) {
  return createProxyAuthenticator<
    { enabled: boolean },
    DemoAuthResult,
    undefined
  >({
    defaultProfileTransform: async result => ({
      profile: { displayName: result.userName.split('/').pop() },
    }),
    initialize({ config }) {
      const allowOutsideDevelopment =
        config.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') ===
        true;
      return {
        enabled:
          options.authEnvironment === 'development' || allowOutsideDevelopment,
      };
    },
    async authenticate({ req }, { enabled }) {
      if (!enabled) {
        throw new NotAllowedError(
          "The demo provider signs in without credentials and is only available when auth.environment is 'development' (or with auth.providers.demo.dangerouslyAllowOutsideDevelopment)",
        );
      }
      const userName = req.header(DEMO_USER_HEADER)?.trim();
      if (!userName) {
        throw new InputError(`Missing ${DEMO_USER_HEADER} header`);
      }
      if (!namePattern.test(userName)) {
        throw new InputError(`'${userName}' is not a user name`);
      }
      return { result: { userName } };
    },
  });
}
