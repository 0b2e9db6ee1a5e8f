import {
  DEFAULT_GIT_PROTOCOLS,
  gitProtocolOf,
  gitProtocolsFor,
  isAllowedGitRemote,
} from './protocols';

describe('git protocol policy', () => {
  it.each([
    ['https://github.com/a/b.git', 'https'],
    ['ssh://git@host/a/b', 'ssh'],
    ['git@github.com:a/b.git', 'ssh'],
    ['file:///srv/git/a.git', 'file'],
    ['/srv/git/a.git', 'file'],
    ['HTTP://host/a', 'http'],
    ['ext::sh -c touch% /tmp/x', 'ext'],
  ])('reads the transport of %s as %s', (remote, protocol) => {
    expect(gitProtocolOf(remote)).toBe(protocol);
  });

  it('allows https, ssh, git and file by default, never ext or plain http', () => {
    expect(DEFAULT_GIT_PROTOCOLS).toEqual(['https', 'ssh', 'git', 'file']);
    expect(isAllowedGitRemote('git@github.com:a/b.git')).toBe(true);
    expect(isAllowedGitRemote('ext::sh -c id')).toBe(false);
    expect(isAllowedGitRemote('http://host/a.git')).toBe(false);
    expect(isAllowedGitRemote('file:///x', ['https'])).toBe(false);
  });

  it('adds http only for a remote that is http itself', () => {
    expect(gitProtocolsFor('http://git.local/scm')).toContain('http');
    expect(gitProtocolsFor('https://git.local/scm')).not.toContain('http');
  });
});
