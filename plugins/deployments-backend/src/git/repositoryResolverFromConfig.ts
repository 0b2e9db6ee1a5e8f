import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { RepositoryResolver } from '@fleetdeck/fleetdeck-node';

/**
 * The repository resolver of the deployments backend: remote repositories on
 * `deployments.git.allowedHosts` (by default the hosts of the GitHub and GitLab
 * integrations), local ones under `deployments.git.allowedRoots`.
 */
export function repositoryResolverFromConfig(
  config: Config,
): RepositoryResolver {
  const integrations = ScmIntegrations.fromConfig(config);
  const git = config.getOptionalConfig('deployments.git');
  const hosts =
    git?.getOptionalStringArray('allowedHosts') ??
    [...integrations.github.list(), ...integrations.gitlab.list()].map(
      i => i.config.host,
    );
  const roots = git?.getOptionalStringArray('allowedRoots') ?? [];
  return new RepositoryResolver({
    allowedHosts: hosts,
    allowedRoots: roots,
    integrations,
    configPath: 'deployments.git',
  });
}
