import { RootConfigService } from '@backstage/backend-plugin-api';
import { VaultAuth } from './VaultSession';

type Config = ReturnType<RootConfigService['getConfig']>;

/** `vault.auth`: exactly one of `token`, `appRole` or `kubernetes`. */
export function vaultAuthFromConfig(auth: Config): VaultAuth {
  const set = ['token', 'appRole', 'kubernetes'].filter(k => auth.has(k));
  if (set.length !== 1) {
    throw new Error(
      `vault.auth must set exactly one of token, appRole or kubernetes${
        set.length ? ` (it sets ${set.join(' and ')})` : ''
      }`,
    );
  }
  if (set[0] === 'token') return { token: auth.getString('token') };
  if (set[0] === 'appRole') {
    const appRole = auth.getConfig('appRole');
    return {
      appRole: {
        roleId: appRole.getString('roleId'),
        secretId: appRole.getString('secretId'),
        mount: appRole.getOptionalString('mount'),
      },
    };
  }
  const kubernetes = auth.getConfig('kubernetes');
  return {
    kubernetes: {
      role: kubernetes.getString('role'),
      jwtPath: kubernetes.getOptionalString('jwtPath'),
      mount: kubernetes.getOptionalString('mount'),
    },
  };
}
