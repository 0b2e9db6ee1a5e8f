import {
  AuditorService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { audited, runGit } from '@fleetdeck/fleetdeck-node';
import { existsSync } from 'fs';
import { mkdir, rm } from 'fs/promises';
import { assertBranchEmpty } from '../git/assertBranchEmpty';
import { gitAuthor } from '../git/author';
import { gitBlobUrl, gitTreeUrl } from '../git/contentsUrl';
import { describeGitError } from '../git/describeGitError';
import { GitServer, GitServers } from '../git/GitServers';
import { examples } from './publishGit.examples';

const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * `publish:git`: initializes a git repository from a workspace directory and
 * pushes it to any git server of `fleetdeck.git.servers` (HTTPS with a token,
 * SSH with a key, or `file://`). It refuses to overwrite a branch that already
 * has commits, and removes a repository it created itself when the push fails.
 *
 * @public
 */
export function createPublishGitAction(options: {
  config: Config;
  servers: GitServers;
  auditor?: AuditorService;
}) {
  const { config, servers, auditor } = options;
  return createTemplateAction({
    id: 'publish:git',
    description:
      'Initializes a git repository from the workspace and pushes it to a git server of fleetdeck.git.servers (HTTPS, SSH or file://)',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repo: z =>
          z
            .string({
              description:
                'Repository path on the server, e.g. payments-gateway; the remote is <server baseUrl>/<repo>.git',
            })
            .optional(),
        server: z =>
          z
            .string({
              description:
                'Name of the server in fleetdeck.git.servers; the first one if unset',
            })
            .optional(),
        remoteUrl: z =>
          z
            .string({
              description:
                'Full remote URL instead of server and repo; must lie under a configured server',
            })
            .optional(),
        defaultBranch: z =>
          z
            .string({ description: 'Branch to push, "main" if unset' })
            .regex(BRANCH, 'must be a plain branch name without "/"')
            .optional(),
        sourcePath: z =>
          z
            .string({
              description:
                'Workspace directory to publish, the workspace root if unset',
            })
            .optional(),
        gitCommitMessage: z =>
          z.string({ description: 'Message of the initial commit' }).optional(),
        gitAuthorName: z =>
          z
            .string({
              description:
                'Author name; the user running the template if unset',
            })
            .optional(),
        gitAuthorEmail: z =>
          z
            .string({
              description:
                'Author email; the user running the template if unset',
            })
            .optional(),
      },
      output: {
        remoteUrl: z => z.string({ description: 'The git remote pushed to' }),
        repoContentsUrl: z =>
          z.string({
            description: 'URL of the pushed branch, <remote>/-/tree/<branch>/',
          }),
        catalogInfoUrl: z =>
          z.string({
            description:
              'URL of catalog-info.yaml on the pushed branch, for catalog:register',
          }),
        commitHash: z =>
          z.string({ description: 'The pushed commit' }).optional(),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { server, remoteUrl } = servers.resolve(input);
      const branch = input.defaultBranch ?? 'main';
      const sourceDir = resolveSafeChildPath(
        ctx.workspacePath,
        input.sourcePath ?? '.',
      );
      if (!existsSync(sourceDir)) {
        throw new InputError(
          `Nothing to publish: ${
            input.sourcePath ?? '.'
          } is not in the workspace`,
        );
      }
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('repoContentsUrl', gitTreeUrl(remoteUrl, branch));
      ctx.output(
        'catalogInfoUrl',
        gitBlobUrl(remoteUrl, branch, 'catalog-info.yaml'),
      );

      const author = gitAuthor(config, ctx.user, {
        name: input.gitAuthorName,
        email: input.gitAuthorEmail,
      });
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would push ${sourceDir} to ${remoteUrl} (branch ${branch}) as ${author.name} <${author.email}>`,
        );
        return;
      }

      // A task resumed after a restart must not push again: the remote branch
      // it pushed the first time would now make it fail as "not empty".
      const commitHash = await ctx.checkpoint({
        key: `publish-git:${remoteUrl}#${branch}`,
        fn: () =>
          audited(
            auditor,
            {
              eventId: 'publish-git',
              actor: ctx.user?.ref ?? 'unknown',
              meta: { remoteUrl, branch },
            },
            () =>
              push({
                server,
                servers,
                remoteUrl,
                branch,
                sourceDir,
                author,
                message:
                  input.gitCommitMessage ??
                  config.getOptionalString('scaffolder.defaultCommitMessage') ??
                  'Initial commit',
                log: m => ctx.logger.info(m),
              }),
          ),
      });
      ctx.output('commitHash', commitHash);
      ctx.logger.info(
        `Pushed ${commitHash} to ${remoteUrl} (branch ${branch})`,
      );
    },
  });
}

async function push(options: {
  server: GitServer;
  servers: GitServers;
  remoteUrl: string;
  branch: string;
  sourceDir: string;
  author: { name: string; email: string };
  message: string;
  log: (message: string) => void;
}): Promise<string> {
  const { server, remoteUrl, branch, sourceDir, author, log } = options;
  const { auth, protocols } = server;
  const localPath = options.servers.localPath(server, remoteUrl);
  let created = false;
  if (localPath && !existsSync(localPath)) {
    if (!server.createRepositories) {
      throw new NotFoundError(
        `The git repository ${remoteUrl} does not exist; create it on the server first`,
      );
    }
    log(`Creating the bare repository ${remoteUrl}`);
    await mkdir(localPath, { recursive: true });
    await runGit(['init', '--bare', '--quiet', `--initial-branch=${branch}`], {
      cwd: localPath,
    });
    created = true;
  }

  try {
    await assertBranchEmpty(options);
    const git = (args: string[]) =>
      runGit(args, { cwd: sourceDir, auth, author, protocols }).catch(e => {
        throw describeGitError(e, remoteUrl);
      });
    await git(['init', '--quiet', `--initial-branch=${branch}`]);
    await git(['add', '--all']);
    await git(['commit', '--quiet', '--no-verify', '-m', options.message]);
    log(
      `Pushing branch ${branch} to ${remoteUrl} as ${author.name} <${author.email}>`,
    );
    await git(['push', '--atomic', remoteUrl, `HEAD:refs/heads/${branch}`]);
    const { stdout: head } = await git(['rev-parse', 'HEAD']);
    return head.trim();
  } catch (error) {
    if (created && localPath) {
      // No empty repository left behind by a failed run.
      await rm(localPath, { recursive: true, force: true });
      log(`Removed ${remoteUrl} again, since the push failed`);
    }
    throw error;
  }
}
