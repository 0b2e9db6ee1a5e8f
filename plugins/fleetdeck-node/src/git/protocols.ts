/** A git transport, as `GIT_ALLOW_PROTOCOL` names it. */
export type GitProtocol = 'https' | 'ssh' | 'git' | 'file' | 'http';

/**
 * The transports {@link runGit} allows unless a caller says otherwise. No
 * `ext::` (it runs commands) and no plain `http` (credentials and content in
 * clear): a caller that must reach an http remote passes
 * {@link gitProtocolsFor} of that remote.
 */
export const DEFAULT_GIT_PROTOCOLS: readonly GitProtocol[] = Object.freeze([
  'https',
  'ssh',
  'git',
  'file',
]);

/** The transport a remote uses: its scheme, `ssh` for `user@host:path`, `file` for a path. */
export function gitProtocolOf(remote: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(remote);
  if (scheme) return scheme[1].toLowerCase();
  if (/^[^/\s]+@[^/\s]+:/.test(remote)) return 'ssh';
  if (/^[a-z][a-z0-9+.-]*::/i.test(remote)) return 'ext';
  return 'file';
}

/** Whether `remote` uses one of the `allowed` transports. */
export function isAllowedGitRemote(
  remote: string,
  allowed: readonly GitProtocol[] = DEFAULT_GIT_PROTOCOLS,
): boolean {
  return (allowed as readonly string[]).includes(gitProtocolOf(remote));
}

/**
 * The transports for commands on a remote the caller has already checked
 * (one from configuration): the defaults, plus `http` when the remote itself
 * is plain http, so that choosing http stays explicit, per remote.
 */
export function gitProtocolsFor(remote: string): GitProtocol[] {
  return gitProtocolOf(remote) === 'http'
    ? [...DEFAULT_GIT_PROTOCOLS, 'http']
    : [...DEFAULT_GIT_PROTOCOLS];
}
