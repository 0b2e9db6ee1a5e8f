import { ConflictError, NotFoundError } from '@backstage/errors';
import { runGit } from '@fleetdeck/fleetdeck-node';
import { existsSync } from 'fs';
import { describeGitError } from './describeGitError';
import { GitServer, GitServers } from './GitServers';

/**
 * Checks that `branch` of the remote has no commits yet, so that publishing
 * to it overwrites nothing; a missing local repository is fine when the
 * server may create it. Fails with a typed, readable error otherwise.
 */
export async function assertBranchEmpty(options: {
  servers: GitServers;
  server: GitServer;
  remoteUrl: string;
  branch: string;
}): Promise<void> {
  const { servers, server, remoteUrl, branch } = options;
  const localPath = servers.localPath(server, remoteUrl);
  if (localPath && !existsSync(localPath)) {
    if (server.createRepositories) return;
    throw new NotFoundError(
      `The git repository ${remoteUrl} does not exist; create it on the server first`,
    );
  }
  const { stdout } = await runGit(
    ['ls-remote', '--heads', remoteUrl, `refs/heads/${branch}`],
    { auth: server.auth, protocols: server.protocols },
  ).catch(e => {
    throw describeGitError(e, remoteUrl);
  });
  if (stdout.trim()) {
    throw new ConflictError(
      `Refusing to overwrite: branch ${branch} of ${remoteUrl} already has commits (${stdout
        .trim()
        .slice(0, 12)}). Choose another repository name.`,
    );
  }
}
