import {
  AuditorService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  audited,
  GitAuth,
  GitProtocol,
  gitProtocolsFor,
  runGit,
} from '@fleetdeck/fleetdeck-node';
import { existsSync } from 'fs';
import { mkdir, readdir, readFile, writeFile } from 'fs/promises';
import { dirname, join, relative } from 'path';
import { gitAuthor } from '../git/author';
import { describeGitError } from '../git/describeGitError';
import {
  configuredGitopsRepoUrl,
  GitServers,
  normalizeGitUrl,
} from '../git/GitServers';
import { examples } from './gitopsRegister.examples';
import { githubTarget, openPullRequest } from './githubPullRequest';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter(e => e.isFile())
    .map(e => relative(dir, join(e.parentPath ?? (e as any).path, e.name)))
    .sort();
}

/**
 * `fleetdeck:gitops:register`: adds a service's Argo CD Applications and
 * per-environment overlays to the central GitOps repository, as a commit on a
 * branch plus a pull request on GitHub (a plain branch push elsewhere). It
 * never overwrites different content already in the repository.
 *
 * @public
 */
export function createGitopsRegisterAction(options: {
  config: Config;
  servers: GitServers;
  integrations: ScmIntegrations;
  auditor?: AuditorService;
}) {
  const { config, servers, integrations, auditor } = options;
  return createTemplateAction({
    id: 'fleetdeck:gitops:register',
    description:
      "Adds a service's Argo CD Applications and overlays to the central GitOps repository, as a branch and (on GitHub) a pull request",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        service: z =>
          z
            .string({
              description:
                'Name of the service, used in the branch and messages',
            })
            .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label'),
        sourcePath: z =>
          z
            .string({
              description:
                'Workspace directory whose files are added, at the same paths, to the GitOps repository ("gitops" if unset)',
            })
            .optional(),
        repoUrl: z =>
          z
            .string({
              description:
                'The GitOps repository; fleetdeck.gitops.repoUrl if unset',
            })
            .optional(),
        targetBranch: z =>
          z
            .string({
              description:
                'Branch the change is proposed to; fleetdeck.gitops.branch or "main" if unset',
            })
            .optional(),
        branchName: z =>
          z
            .string({
              description:
                'Branch the commit goes to; fleetdeck/add-<service> if unset. Equal to targetBranch for a direct commit',
            })
            .optional(),
        checkOnly: z =>
          z
            .boolean({
              description:
                'Only check that the change applies without conflicts; push nothing',
            })
            .optional(),
        title: z =>
          z.string({ description: 'Commit and pull request title' }).optional(),
        description: z =>
          z.string({ description: 'Pull request description' }).optional(),
      },
      output: {
        repoUrl: z => z.string(),
        branchName: z => z.string(),
        commitHash: z => z.string().optional(),
        pullRequestUrl: z => z.string().optional(),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const repoUrl = input.repoUrl
        ? normalizeGitUrl(input.repoUrl)
        : configuredGitopsRepoUrl(config);
      if (!repoUrl) {
        throw new InputError(
          'No GitOps repository: set fleetdeck.gitops.repoUrl or the repoUrl input',
        );
      }
      const target =
        input.targetBranch ??
        config.getOptionalString('fleetdeck.gitops.branch') ??
        'main';
      const branchName = input.branchName ?? `fleetdeck/add-${input.service}`;
      const sourceDir = resolveSafeChildPath(
        ctx.workspacePath,
        input.sourcePath ?? 'gitops',
      );
      if (!existsSync(sourceDir)) {
        throw new InputError(
          `Nothing to register: ${
            input.sourcePath ?? 'gitops'
          } is not in the workspace`,
        );
      }
      const files = await listFiles(sourceDir);
      const github = githubTarget(integrations, repoUrl);
      let auth: GitAuth | undefined;
      let protocols: GitProtocol[];
      if (github) {
        auth = await github.auth();
        protocols = gitProtocolsFor(auth.scope);
      } else {
        ({ auth, protocols } = servers.resolve({ remoteUrl: repoUrl }).server);
      }
      ctx.output('repoUrl', repoUrl);
      ctx.output('branchName', branchName);
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would add ${files.join(
            ', ',
          )} to ${repoUrl} on branch ${branchName}`,
        );
        return;
      }

      const title =
        input.title ?? `Add ${input.service} to GitOps (Argo CD Applications)`;
      const author = gitAuthor(config, ctx.user);
      const apply = async () => {
        const dir = await ctx.createTemporaryDirectory();
        const git = (args: string[]) =>
          runGit(args, { cwd: dir, auth, author, protocols }).catch(e => {
            throw describeGitError(e, repoUrl);
          });
        await git(['init', '--quiet']);
        await git([
          'fetch',
          '--quiet',
          '--depth=1',
          repoUrl,
          `refs/heads/${target}`,
        ]);
        await git(['checkout', '--quiet', '-b', branchName, 'FETCH_HEAD']);
        const base = (await git(['rev-parse', 'HEAD'])).stdout.trim();

        const conflicts: string[] = [];
        for (const file of files) {
          const dest = resolveSafeChildPath(dir, file);
          const wanted = await readFile(join(sourceDir, file));
          if (existsSync(dest) && !(await readFile(dest)).equals(wanted)) {
            conflicts.push(file);
          }
          await mkdir(dirname(dest), { recursive: true });
          await writeFile(dest, wanted);
        }
        if (conflicts.length) {
          throw new ConflictError(
            `The GitOps repository ${repoUrl} already has different content on ${target} at ${conflicts.join(
              ', ',
            )}; nothing was pushed. Another service may use the name ${
              input.service
            }: resolve this in the GitOps repository or pick another name.`,
          );
        }
        if (branchName !== target) {
          const existing = await git([
            'ls-remote',
            '--heads',
            repoUrl,
            `refs/heads/${branchName}`,
          ]);
          if (existing.stdout.trim()) {
            throw new ConflictError(
              `The GitOps repository ${repoUrl} already has a branch ${branchName}; nothing was pushed. Merge or delete it first.`,
            );
          }
        }
        await git(['add', '--all']);
        const unchanged = await runGit(['diff', '--cached', '--quiet'], {
          cwd: dir,
        }).then(
          () => true,
          () => false,
        );
        if (unchanged) {
          ctx.logger.info(`${repoUrl} already has these files on ${target}`);
          return { commitHash: base, changed: false };
        }
        if (input.checkOnly) {
          ctx.logger.info(
            `The GitOps change applies cleanly to ${target} of ${repoUrl}`,
          );
          return { commitHash: base, changed: true };
        }
        await git(['commit', '--quiet', '--no-verify', '-m', title]);
        ctx.logger.info(
          `Pushing ${files.length} files to ${repoUrl} on branch ${branchName}`,
        );
        await git([
          'push',
          '--atomic',
          repoUrl,
          `HEAD:refs/heads/${branchName}`,
        ]);
        return {
          commitHash: (await git(['rev-parse', 'HEAD'])).stdout.trim(),
          changed: true,
        };
      };

      if (input.checkOnly) {
        await apply();
        return;
      }
      // Neither the push nor the pull request may happen twice when a task
      // is resumed after a restart.
      const { commitHash, changed } = await ctx.checkpoint({
        key: `gitops-register:${repoUrl}#${branchName}`,
        fn: () =>
          audited(
            auditor,
            {
              eventId: 'gitops-register',
              actor: ctx.user?.ref ?? 'unknown',
              meta: { repoUrl, branchName, service: input.service },
            },
            apply,
          ),
      });
      ctx.output('commitHash', commitHash);
      if (github && changed && branchName !== target) {
        const url = await ctx.checkpoint({
          key: `gitops-register-pr:${repoUrl}#${branchName}`,
          fn: () =>
            openPullRequest({
              ...github,
              head: branchName,
              base: target,
              title,
              body:
                input.description ??
                `Registers ${input.service} with Argo CD. Created by Fleetdeck's Microservice template.`,
            }),
        });
        ctx.output('pullRequestUrl', url);
        ctx.logger.info(`Opened ${url}`);
      }
    },
  });
}
