import { InputError, NotAllowedError } from '@backstage/errors';
import { createHash } from 'crypto';
import { existsSync, realpathSync } from 'fs';
import { isAbsolute, relative, resolve as resolvePath, sep } from 'path';
import { fileURLToPath } from 'url';
import { GitAuth } from './GitAuth';
import { DEFAULT_GIT_PROTOCOLS, isAllowedGitRemote } from './protocols';

/** Annotation naming an entity's git repository: a git URL, or a path under an allowed root. */
export const GIT_REPO_ANNOTATION = 'fleetdeck.io/git-repo';
const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';
/** Remote transports; local repositories are checked against allowedRoots instead. */
const REMOTE_PROTOCOLS = DEFAULT_GIT_PROTOCOLS.filter(p => p !== 'file');

/** A git repository a backend may mirror. */
export interface Repository {
  /** What `git clone` is given. */
  url: string;
  /** Stable id for caches and mirror directories. */
  key: string;
  /** Short human name, e.g. `payments-api`. */
  name: string;
  host?: string;
  /** Browser URL of the repository, where the host has one. */
  webUrl?: string;
  /** Set for repositories on a configured GitHub integration. */
  github?: { host: string; owner: string; repo: string };
  gitlab?: boolean;
}

/**
 * What the resolver needs of the SCM integrations: which hosts are GitHub or
 * GitLab, and their tokens. `ScmIntegrations.fromConfig(config)` from
 * `@backstage/integration` is one.
 */
export interface GitHostIntegrations {
  github: { byHost(host: string): { config: { token?: string } } | undefined };
  gitlab: { byHost(host: string): { config: { token?: string } } | undefined };
}

/** The part of a catalog entity the resolver reads (any `Entity` is one). */
export interface EntityWithAnnotations {
  metadata: { annotations?: Record<string, string> };
}

/** Options of {@link RepositoryResolver}. */
export interface RepositoryResolverOptions {
  /** Git hosts (`host` or `host:port`) remote repositories may be on. */
  allowedHosts: string[];
  /** Directories local repositories may be under. */
  allowedRoots: string[];
  /**
   * Hosts of `allowedHosts` that may be reached over plain `http` (an
   * internal server without TLS); every other remote needs https, ssh or git.
   */
  allowedHttpHosts?: string[];
  integrations?: GitHostIntegrations;
  /**
   * Where the allow-lists are configured, named in refusals so that an
   * operator knows what to change, e.g. `deployments.git`.
   */
  configPath?: string;
}

/**
 * Turns an entity's annotations into a repository URL, and refuses any URL
 * that is not on an allow-listed git host or under an allowed local root:
 * the SSRF guard of every backend that clones what the catalog names.
 */
export class RepositoryResolver {
  private readonly hosts: Set<string>;
  private readonly roots: string[];
  private readonly httpHosts: Set<string>;
  private readonly integrations?: GitHostIntegrations;
  private readonly configPath: string;

  constructor(options: RepositoryResolverOptions) {
    this.hosts = new Set(options.allowedHosts.map(h => h.toLowerCase()));
    this.roots = options.allowedRoots.map(r => resolvePath(r));
    this.httpHosts = new Set(
      (options.allowedHttpHosts ?? []).map(h => h.toLowerCase()),
    );
    this.integrations = options.integrations;
    this.configPath = options.configPath ?? 'git';
  }

  /** The entity's repository; throws InputError or NotAllowedError saying why not. */
  resolve(entity: EntityWithAnnotations): Repository {
    const annotations = entity.metadata.annotations ?? {};
    const explicit = annotations[GIT_REPO_ANNOTATION];
    if (explicit) {
      return this.resolveValue(explicit.trim());
    }
    const location = annotations[SOURCE_LOCATION_ANNOTATION];
    if (location) {
      const [type, ...rest] = location.split(':');
      const target = rest.join(':');
      if (type !== 'url') {
        throw new InputError(`Unsupported source-location type '${type}'`);
      }
      return this.resolveValue(target);
    }
    throw new InputError(
      `The entity has neither a ${GIT_REPO_ANNOTATION} nor a ${SOURCE_LOCATION_ANNOTATION} annotation`,
    );
  }

  /** Resolves a git URL, a file:// URL or a path relative to an allowed root. */
  resolveValue(value: string): Repository {
    if (value.startsWith('-')) {
      throw new InputError(`Invalid repository '${value}'`);
    }
    const scp = /^([\w.-]+)@([\w.-]+):(?!\/\/)(.+)$/.exec(value);
    if (scp) {
      return this.remote(`ssh://${scp[1]}@${scp[2]}/${scp[3]}`);
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      if (value.toLowerCase().startsWith('file:')) {
        return this.local(fileURLToPath(value));
      }
      return this.remote(value);
    }
    if (isAbsolute(value)) {
      return this.local(value);
    }
    for (const root of this.roots) {
      const candidate = resolvePath(root, value);
      if (existsSync(candidate)) return this.local(candidate);
    }
    throw new InputError(
      `Repository '${value}' was not found under any of ${this.configPath}.allowedRoots`,
    );
  }

  private local(path: string): Repository {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      throw new InputError(`Local repository ${path} does not exist`);
    }
    const allowed = this.roots.some(root => {
      let realRoot: string;
      try {
        realRoot = realpathSync(root);
      } catch {
        return false;
      }
      const rel = relative(realRoot, real);
      return (
        rel === '' ||
        (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(sep))
      );
    });
    if (!allowed) {
      throw new NotAllowedError(
        `Local repository ${path} is outside ${this.configPath}.allowedRoots`,
      );
    }
    const name = real
      .split(sep)
      .pop()!
      .replace(/\.git$/, '');
    const url = `file://${real}`;
    return { url, key: keyOf(url), name };
  }

  private remote(value: string): Repository {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InputError(`Invalid repository URL '${value}'`);
    }
    const plainHttp =
      url.protocol === 'http:' && this.httpHosts.has(url.host.toLowerCase());
    if (!plainHttp && !isAllowedGitRemote(url.href, REMOTE_PROTOCOLS)) {
      throw new NotAllowedError(
        `Repository protocol ${
          url.protocol
        } is not allowed (${REMOTE_PROTOCOLS.join(', ')} are${
          url.protocol === 'http:'
            ? `; plain http needs the host in ${this.configPath}.allowedHttpHosts`
            : ''
        })`,
      );
    }
    const host = url.hostname.toLowerCase();
    if (!this.hosts.has(host) && !this.hosts.has(url.host.toLowerCase())) {
      throw new NotAllowedError(
        `Git host ${host} is not in ${this.configPath}.allowedHosts`,
      );
    }
    if (url.password) {
      throw new InputError('Repository URLs must not carry credentials');
    }
    let segments = url.pathname.split('/').filter(Boolean);
    const github = this.integrations?.github.byHost(host);
    const gitlab = this.integrations?.gitlab.byHost(host);
    if (github) {
      segments = segments.slice(0, 2);
    } else {
      const dash = segments.indexOf('-');
      if (dash !== -1) segments = segments.slice(0, dash);
      const tree = segments.findIndex(
        s => s === 'tree' || s === 'blob' || s === 'src',
      );
      if (tree > 0) segments = segments.slice(0, tree);
    }
    segments[segments.length - 1] = segments[segments.length - 1]?.replace(
      /\.git$/,
      '',
    );
    if (segments.length === 0 || !segments[segments.length - 1]) {
      throw new InputError(`Repository URL '${value}' names no repository`);
    }
    const path = segments.join('/');
    const cloneUrl =
      url.protocol === 'https:'
        ? `https://${url.host}/${path}.git`
        : `${url.protocol}//${url.username ? `${url.username}@` : ''}${
            url.host
          }/${path}${value.endsWith('.git') ? '.git' : ''}`;
    const webUrl =
      github || gitlab || url.protocol === 'https:'
        ? `https://${url.host}/${path}`
        : undefined;
    return {
      url: cloneUrl,
      key: keyOf(`${host}/${path}`),
      name: segments[segments.length - 1],
      host,
      webUrl,
      github: github
        ? { host, owner: segments[0], repo: segments[1] }
        : undefined,
      gitlab: !!gitlab,
    };
  }

  /** The integration's token for the repository's host, which git sends as a header. */
  gitAuth(repo: Repository): GitAuth | undefined {
    if (!repo.host || !repo.url.startsWith('https://')) return undefined;
    const scope = `https://${repo.host}`;
    const github = this.integrations?.github.byHost(repo.host)?.config.token;
    if (github) return { scope, username: 'x-access-token', token: github };
    const gitlab = this.integrations?.gitlab.byHost(repo.host)?.config.token;
    if (gitlab) return { scope, username: 'oauth2', token: gitlab };
    return undefined;
  }
}

function keyOf(value: string) {
  return createHash('sha1').update(value.toLowerCase()).digest('hex');
}
