import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { GitAuth } from '@fleetdeck/fleetdeck-node';

/** A repository on a host of `integrations.github`, with its credentials. */
export interface GithubTarget {
  owner: string;
  repo: string;
  apiBaseUrl?: string;
  token: () => Promise<string>;
  auth: () => Promise<GitAuth>;
}

/** The GitHub repository behind `repoUrl`, if its host is a GitHub integration. */
export function githubTarget(
  integrations: ScmIntegrations,
  repoUrl: string,
): GithubTarget | undefined {
  const integration = integrations.github.byUrl(repoUrl);
  if (!integration) return undefined;
  const url = new URL(repoUrl);
  const [owner, repo] = url.pathname
    .replace(/^\/+/, '')
    .replace(/\.git$/, '')
    .split('/');
  if (!owner || !repo) {
    throw new InputError(`${repoUrl} does not name a GitHub repository`);
  }
  const credentials =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  const token = async () => {
    const { token: t } = await credentials.getCredentials({
      url: `https://${integration.config.host}/${owner}/${repo}`,
    });
    if (!t) {
      throw new InputError(
        `No credentials for ${integration.config.host}: configure integrations.github`,
      );
    }
    return t;
  };
  return {
    owner,
    repo,
    apiBaseUrl: integration.config.apiBaseUrl,
    token,
    auth: async () => ({
      scope: `https://${integration.config.host}`,
      username: 'x-access-token',
      token: await token(),
    }),
  };
}

/**
 * Opens a pull request, or returns the open one for the same branch (so a
 * retried task does not fail on GitHub's "already exists").
 */
export async function openPullRequest(
  options: GithubTarget & {
    head: string;
    base: string;
    title: string;
    body: string;
  },
): Promise<string> {
  const octokit = new Octokit({
    auth: await options.token(),
    baseUrl: options.apiBaseUrl,
  });
  const { owner, repo, head, base } = options;
  try {
    const { data } = await octokit.pulls.create({
      owner,
      repo,
      head,
      base,
      title: options.title,
      body: options.body,
    });
    return data.html_url;
  } catch (e: any) {
    if (e?.status === 422) {
      const { data } = await octokit.pulls.list({
        owner,
        repo,
        head: `${owner}:${head}`,
        state: 'open',
      });
      if (data[0]) return data[0].html_url;
    }
    throw new Error(
      `Could not open a pull request on ${owner}/${repo}: ${e?.message ?? e}`,
    );
  }
}
