import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  GitAuth,
  MirrorManager,
  Repository,
  RepositoryResolver,
} from '@fleetdeck/fleetdeck-node';
import { join } from 'path';
import { HostRepository, hostRepositoryFromConfig } from '../hosts';
import { RepositoryAccess } from './RepositoryAccess';

/**
 * Repositories as configured: the `changes.git` allow-lists (default: the
 * GitHub and GitLab integrations' hosts), one bare mirror per repository
 * under the work directory, credentials and pull request APIs from the
 * integrations.
 */
export class DefaultRepositoryAccess implements RepositoryAccess {
  static fromConfig(
    config: Config,
    options: { workDir: string; logger: LoggerService },
  ): DefaultRepositoryAccess {
    const integrations = ScmIntegrations.fromConfig(config);
    const git = config.getOptionalConfig('changes.git');
    const resolver = new RepositoryResolver({
      allowedHosts:
        git?.getOptionalStringArray('allowedHosts') ??
        [...integrations.github.list(), ...integrations.gitlab.list()].map(
          i => i.config.host,
        ),
      allowedRoots: git?.getOptionalStringArray('allowedRoots') ?? [],
      allowedHttpHosts: git?.getOptionalStringArray('allowedHttpHosts') ?? [],
      integrations,
      configPath: 'changes.git',
    });
    return new DefaultRepositoryAccess(resolver, config, integrations, options);
  }

  readonly mirrors: MirrorManager;

  constructor(
    private readonly resolver: RepositoryResolver,
    private readonly config: Config,
    private readonly integrations: ScmIntegrations,
    options: { workDir: string; logger: LoggerService },
  ) {
    this.mirrors = new MirrorManager({
      cacheDir: join(options.workDir, 'mirrors'),
      logger: options.logger,
      auth: repo => this.repositoryAuth(repo),
    });
  }

  resolve(entity: Entity): Repository {
    return this.resolver.resolve(entity);
  }

  async freshMirror(url: string): Promise<string> {
    const repo = this.resolver.resolveValue(url);
    await this.mirrors.refresh(repo);
    return this.mirrors.dir(repo);
  }

  /**
   * The integration's token for the repository's host. Over plain http only
   * where the operator configured the integration's API as http too (an
   * internal server, a test double), never for an https integration.
   */
  auth(url: string): GitAuth | undefined {
    return this.repositoryAuth(this.resolver.resolveValue(url));
  }

  private repositoryAuth(repo: Repository): GitAuth | undefined {
    const auth = this.resolver.gitAuth(repo);
    if (auth || !repo.host || !repo.url.startsWith('http://')) return auth;
    const host = new URL(repo.url).host;
    const scope = `http://${host}`;
    const github = this.integrations.github.byHost(host)?.config;
    if (github?.token && github.apiBaseUrl?.startsWith(`${scope}/`)) {
      return { scope, username: 'x-access-token', token: github.token };
    }
    const gitlab = this.integrations.gitlab.byHost(host)?.config;
    if (gitlab?.token && gitlab.apiBaseUrl.startsWith(`${scope}/`)) {
      return { scope, username: 'oauth2', token: gitlab.token };
    }
    return undefined;
  }

  host(url: string): HostRepository {
    return hostRepositoryFromConfig(url, this.config);
  }
}
