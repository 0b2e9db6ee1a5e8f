import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  GitAuth,
  GitProtocol,
  gitProtocolsFor,
} from '@fleetdeck/fleetdeck-node';
import { isAbsolute, relative, resolve } from 'path';
import { fileURLToPath, pathToFileURL } from 'url';

/** One entry of `fleetdeck.git.servers`: where new repositories may go. */
export interface GitServer {
  name: string;
  /** Normalised base URL without a trailing slash. */
  baseUrl: string;
  auth: GitAuth;
  /** Transports git may use for it: plain http only when `baseUrl` is http. */
  protocols: GitProtocol[];
  createRepositories: boolean;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Turns a configured location into a URL: URLs stay as they are (without a
 * trailing slash), a plain path becomes a `file://` URL resolved against the
 * backend's working directory.
 */
export function normalizeGitUrl(location: string, cwd = process.cwd()): string {
  const trimmed = location.trim().replace(/\/+$/, '');
  if (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ||
    /^[^/\s]+@[^/\s]+:/.test(trimmed)
  ) {
    return trimmed;
  }
  return pathToFileURL(resolve(cwd, trimmed)).href;
}

/**
 * Checks a repository path such as `payments-gateway` or `team/svc`: plain
 * segments only, so nothing can climb out of the server's base (`../x`).
 */
export function validateRepoPath(repo: string): string {
  const path = repo.replace(/\.git$/, '');
  const segments = path.split('/');
  if (
    path.length === 0 ||
    path.length > 200 ||
    segments.some(s => !SEGMENT.test(s) || s === '..' || s.endsWith('.'))
  ) {
    throw new InputError(
      `Invalid repository path "${repo}": use letters, digits, '.', '_' and '-' in segments separated by '/', with no '..'`,
    );
  }
  return path;
}

/** The git servers of `fleetdeck.git.servers`, matched by name or by URL. */
export class GitServers {
  static fromConfig(config: Config, cwd = process.cwd()): GitServers {
    const servers = (
      config.getOptionalConfigArray('fleetdeck.git.servers') ?? []
    ).map(c => {
      const baseUrl = normalizeGitUrl(c.getString('baseUrl'), cwd);
      return {
        name: c.getString('name'),
        baseUrl,
        protocols: gitProtocolsFor(baseUrl),
        createRepositories:
          (c.getOptionalBoolean('createRepositories') ?? false) &&
          baseUrl.startsWith('file:'),
        auth: {
          scope: baseUrl,
          username: c.getOptionalString('username'),
          token: c.getOptionalString('token'),
          sshPrivateKey: c.getOptionalString('sshPrivateKey'),
          sshKnownHosts: c.getOptionalString('sshKnownHosts'),
        },
      };
    });
    return new GitServers(servers);
  }

  constructor(private readonly servers: GitServer[]) {}

  list(): GitServer[] {
    return this.servers;
  }

  /** The named server, or the first one when no name is given. */
  byName(name?: string): GitServer {
    const server = name
      ? this.servers.find(s => s.name === name)
      : this.servers[0];
    if (!server) {
      const known = this.servers.map(s => s.name).join(', ') || 'none';
      throw new InputError(
        name
          ? `Unknown git server "${name}" (configured in fleetdeck.git.servers: ${known})`
          : 'No git server is configured in fleetdeck.git.servers',
      );
    }
    return server;
  }

  /** The server whose base URL the given remote starts with. */
  byUrl(url: string): GitServer | undefined {
    return this.servers.find(
      s => url === s.baseUrl || url.startsWith(`${s.baseUrl}/`),
    );
  }

  /**
   * Resolves a remote from either `server` + `repo` or a full `remoteUrl`,
   * which must lie under a configured server.
   */
  resolve(options: { server?: string; repo?: string; remoteUrl?: string }): {
    server: GitServer;
    remoteUrl: string;
  } {
    if (options.remoteUrl) {
      const remoteUrl = options.remoteUrl.replace(/\/+$/, '');
      const server = this.byUrl(remoteUrl);
      if (!server) {
        throw new InputError(
          `The git remote ${remoteUrl} is not under any server configured in fleetdeck.git.servers`,
        );
      }
      validateRepoPath(remoteUrl.slice(server.baseUrl.length + 1));
      return { server, remoteUrl: this.checkLocal(server, remoteUrl) };
    }
    if (!options.repo) {
      throw new InputError('Either repo or remoteUrl must be given');
    }
    const server = this.byName(options.server);
    const path = validateRepoPath(options.repo);
    return {
      server,
      remoteUrl: this.checkLocal(server, `${server.baseUrl}/${path}.git`),
    };
  }

  /** For `file://` servers: the repository directory, proven to be inside the base. */
  localPath(server: GitServer, remoteUrl: string): string | undefined {
    if (!server.baseUrl.startsWith('file:')) return undefined;
    const base = fileURLToPath(server.baseUrl);
    const path = resolve(fileURLToPath(remoteUrl));
    const rel = relative(base, path);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) {
      throw new InputError(
        `The git remote ${remoteUrl} points outside of ${server.baseUrl}`,
      );
    }
    return path;
  }

  private checkLocal(server: GitServer, remoteUrl: string): string {
    this.localPath(server, remoteUrl);
    return remoteUrl;
  }
}

/** `fleetdeck.gitops.repoUrl`, normalised like a server's base URL. */
export function configuredGitopsRepoUrl(config: Config): string | undefined {
  const value = config.getOptionalString('fleetdeck.gitops.repoUrl');
  return value ? normalizeGitUrl(value) : undefined;
}
