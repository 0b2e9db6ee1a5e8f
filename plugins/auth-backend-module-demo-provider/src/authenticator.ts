import { InputError } from '@backstage/errors';
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
 * Throws unless `auth.environment` is explicitly `development`: the demo
 * provider signs anyone in as any catalog user without a credential. There
 * is no override; an unset `auth.environment` is refused too.
 * @public
 */
export function assertDemoSignInAllowed(authEnvironment: string | undefined) {
  if (authEnvironment === 'development') return;
  const actual =
    authEnvironment === undefined ? 'not set' : `'${authEnvironment}'`;
  throw new InputError(
    `auth.providers.demo is configured but auth.environment is ${actual}: the demo sign-in lets anyone act as any catalog user without a credential, so it only runs when auth.environment is explicitly 'development'. Remove auth.providers.demo (set it to null in the production config) or set auth.environment to 'development' on a development machine.`,
  );
}

/**
 * Signs in as the catalog user named in the request, without any secret:
 * only for demos and development. Refuses to initialize unless
 * `auth.environment` is explicitly `development`.
 * @public
 */
export function createDemoAuthenticator(options: {
  authEnvironment: string | undefined;
}) {
  return createProxyAuthenticator<undefined, DemoAuthResult, undefined>({
    defaultProfileTransform: async result => ({
      profile: { displayName: result.userName.split('/').pop() },
    }),
    initialize() {
      // Also checked by the module before registering; repeated here for
      // anyone who wires this authenticator into a module of their own.
      assertDemoSignInAllowed(options.authEnvironment);
      return undefined;
    },
    async authenticate({ req }) {
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
