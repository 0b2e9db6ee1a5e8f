import { Redactor } from '../redaction';

/** Credentials for one git server, sent only to URLs under `scope`. */
export interface GitAuth {
  /** Base URL the credentials belong to, e.g. `https://github.com`. */
  scope: string;
  /** User name sent with `token`; `x-access-token` if unset (GitHub's). */
  username?: string;
  /** Token for HTTPS remotes, sent as a basic-auth header. */
  token?: string;
  /** Private key (PEM or OpenSSH) for `ssh://` remotes. */
  sshPrivateKey?: string;
  /** `known_hosts` lines; without them a new host key is accepted once. */
  sshKnownHosts?: string;
}

function basicCredentials(auth: GitAuth): string {
  return `${auth.username ?? 'x-access-token'}:${auth.token}`;
}

/**
 * The git configuration that sends `auth`'s token: an `http.<scope>/.extraHeader`
 * entry, to be passed through `GIT_CONFIG_*` (never in a URL or an argument,
 * where `ps`, git's messages and remote-tracking config would show it).
 */
export function gitAuthConfig(auth?: GitAuth): Array<[string, string]> {
  if (!auth?.token) return [];
  const basic = Buffer.from(basicCredentials(auth)).toString('base64');
  return [
    [
      `http.${auth.scope.replace(/\/+$/, '')}/.extraHeader`,
      `Authorization: Basic ${basic}`,
    ],
  ];
}

/** A redactor for every form of `auth`'s secrets: the token, its basic-auth pair, the key. */
export function gitAuthRedactor(auth?: GitAuth): Redactor {
  const secrets: string[] = [];
  if (auth?.token) secrets.push(auth.token, basicCredentials(auth));
  if (auth?.sshPrivateKey) secrets.push(auth.sshPrivateKey);
  // `with`, not `add`: a short token in configuration is still redacted
  return new Redactor().with(secrets);
}
