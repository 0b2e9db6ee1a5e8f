import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { HostRepository } from './types';

/** `git@host:path` as `https://host/path`; other URLs as they are. */
function asUrl(url: string): URL {
  const scp = /^[^/@]+@([^:/]+):(.+)$/.exec(url);
  return new URL(scp ? `https://${scp[1]}/${scp[2]}` : url);
}

/**
 * The repository at `url` as the integrations in `config` know it: a
 * GitHub or GitLab API (with the integration's token) when one is configured
 * for its host, else a plain git server.
 */
export function hostRepositoryFromConfig(
  url: string,
  config: Config,
): HostRepository {
  const integrations = ScmIntegrations.fromConfig(config);
  let parsed: URL;
  try {
    parsed = asUrl(url);
  } catch {
    return { url };
  }
  const path = parsed.pathname.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  const origin = `${parsed.protocol === 'http:' ? 'http:' : 'https:'}//${
    parsed.host
  }`;

  const github = integrations.github.byHost(parsed.host)?.config;
  const [owner, repo] = path.split('/');
  if (github?.apiBaseUrl && owner && repo) {
    return {
      url,
      webUrl: `${origin}/${owner}/${repo.replace(/\.git$/, '')}`,
      github: {
        apiBaseUrl: github.apiBaseUrl,
        owner,
        repo: repo.replace(/\.git$/, ''),
        token: github.token,
      },
    };
  }

  const gitlab = integrations.gitlab.byHost(parsed.host)?.config;
  if (gitlab?.apiBaseUrl) {
    // GitLab may live under a relative URL root, e.g. https://example.com/gitlab.
    const root = new URL(gitlab.baseUrl).pathname.replace(/^\/+|\/+$/g, '');
    const projectPath =
      root && path.startsWith(`${root}/`)
        ? path.slice(root.length + 1)
        : path.split('/-/')[0];
    return {
      url,
      webUrl: `${gitlab.baseUrl}/${projectPath}`,
      gitlab: {
        apiBaseUrl: gitlab.apiBaseUrl,
        projectPath,
        token: gitlab.token,
      },
    };
  }
  return { url };
}
