import { mockServices } from '@backstage/backend-test-utils';
import { FakeGitServer, startGitServer } from '@fleetdeck/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import yaml from 'yaml';
import { GitServers } from '../git/GitServers';
import {
  actionContext,
  configWith,
  writeFiles,
} from '../__testUtils__/actionContext';
import { bareRepo, branches, git, show } from '../__testUtils__/git';
import { createPublishGitAction } from './publishGit';
import { examples } from './publishGit.examples';

jest.setTimeout(60_000);

describe('publish:git', () => {
  let base: string;
  let workspace: string;
  const servers = () => [
    { name: 'fleetdeck', baseUrl: join(base, 'git'), createRepositories: true },
    { name: 'onprem', baseUrl: `file://${join(base, 'onprem')}` },
  ];
  const auditor = mockServices.auditor.mock();
  const action = (list: JsonObject[] = servers()) => {
    const config = configWith({ servers: list });
    return createPublishGitAction({
      config,
      servers: GitServers.fromConfig(config),
      auditor,
    });
  };

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'fleetdeck-publish-'));
    workspace = join(base, 'workspace');
    writeFiles(join(workspace, 'service'), {
      'catalog-info.yaml': 'kind: Component\n',
      'src/server.js': 'console.log("hi")\n',
    });
    mkdirSync(join(base, 'onprem'), { recursive: true });
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it.each(examples.map(e => [e.description, e]))(
    'runs the example: %s',
    async (_, example) => {
      const step = yaml.parse(example.example).steps[0];
      const repo =
        step.input.server === 'onprem'
          ? bareRepo(join(base, 'onprem', `${step.input.repo}.git`))
          : join(base, 'git', `${step.input.repo}.git`);
      if (!step.input.sourcePath)
        writeFiles(workspace, { 'README.md': '# x\n' });
      const { ctx, output } = actionContext({
        input: step.input,
        workspacePath: workspace,
      });
      await action().handler(ctx);
      const branch = step.input.defaultBranch ?? 'main';
      expect(branches(repo)).toEqual([branch]);
      expect(
        git(['--git-dir', repo, 'log', '--format=%an <%ae>|%s', branch]),
      ).toBe(
        `Emma Dubois <emma.dubois@fleetdeck.example>|${
          step.input.gitCommitMessage ?? 'Initial commit'
        }`,
      );
      expect(output).toHaveBeenCalledWith('remoteUrl', `file://${repo}`);
      expect(output).toHaveBeenCalledWith(
        'catalogInfoUrl',
        `file://${repo}/-/blob/${branch}/catalog-info.yaml`,
      );
    },
  );

  it('pushes the source directory only, and outputs the commit', async () => {
    const { ctx, output } = actionContext({
      input: { repo: 'payments-gateway', sourcePath: 'service' },
      workspacePath: workspace,
    });
    await action().handler(ctx);
    const repo = join(base, 'git', 'payments-gateway.git');
    expect(
      git(['--git-dir', repo, 'ls-tree', '-r', '--name-only', 'main']),
    ).toBe('catalog-info.yaml\nsrc/server.js');
    expect(output).toHaveBeenCalledWith(
      'commitHash',
      git(['--git-dir', repo, 'rev-parse', 'main']),
    );
    expect(auditor.createEvent).toHaveBeenCalledWith({
      eventId: 'publish-git',
      severityLevel: 'medium',
      meta: {
        actor: 'user:default/emma.dubois',
        remoteUrl: `file://${repo}`,
        branch: 'main',
      },
    });
  });

  it('refuses to overwrite a branch that already has commits', async () => {
    const repo = bareRepo(join(base, 'git', 'payments-api.git'), {
      'a.txt': 'theirs\n',
    });
    const head = git(['--git-dir', repo, 'rev-parse', 'main']);
    const { ctx } = actionContext({
      input: { repo: 'payments-api', sourcePath: 'service' },
      workspacePath: workspace,
    });
    await expect(action().handler(ctx)).rejects.toThrow(
      /Refusing to overwrite: branch main of file:\/\/.*payments-api\.git already has commits/,
    );
    expect(git(['--git-dir', repo, 'rev-parse', 'main'])).toBe(head);
    expect(show(repo, 'main', 'a.txt')).toBe('theirs\n');
  });

  it.each([['../escape'], ['a/../../escape'], ['-rf'], ['x/']])(
    'refuses the repository path %s',
    async repo => {
      const { ctx } = actionContext({
        input: { repo, sourcePath: 'service' },
        workspacePath: workspace,
      });
      await expect(action().handler(ctx)).rejects.toThrow(
        /Invalid repository path/,
      );
      expect(existsSync(join(base, 'escape.git'))).toBe(false);
    },
  );

  it('refuses a remote outside the configured servers', async () => {
    const { ctx } = actionContext({
      input: {
        remoteUrl: `file://${base}/elsewhere.git`,
        sourcePath: 'service',
      },
      workspacePath: workspace,
    });
    await expect(action().handler(ctx)).rejects.toThrow(
      /is not under any server configured in fleetdeck.git.servers/,
    );
  });

  it('does not create repositories on servers that may not', async () => {
    const { ctx } = actionContext({
      input: { server: 'onprem', repo: 'new-svc', sourcePath: 'service' },
      workspacePath: workspace,
    });
    await expect(action().handler(ctx)).rejects.toThrow(
      /new-svc\.git does not exist; create it on the server first/,
    );
    expect(existsSync(join(base, 'onprem', 'new-svc.git'))).toBe(false);
  });

  it('removes a repository it created when the push fails', async () => {
    mkdirSync(join(workspace, 'empty'));
    const { ctx, lines } = actionContext({
      input: { repo: 'half-done', sourcePath: 'empty' },
      workspacePath: workspace,
    });
    await expect(action().handler(ctx)).rejects.toThrow(/nothing to commit/);
    expect(existsSync(join(base, 'git', 'half-done.git'))).toBe(false);
    expect(lines.join('\n')).toContain('Removed file://');
  });

  it('says clearly when the remote is unreachable', async () => {
    const { ctx } = actionContext({
      input: { repo: 'payments-gateway', sourcePath: 'service' },
      workspacePath: workspace,
    });
    await expect(
      action([{ name: 'down', baseUrl: 'http://127.0.0.1:9/scm' }]).handler(
        ctx,
      ),
    ).rejects.toThrow(
      /Could not reach the git remote http:\/\/127\.0\.0\.1:9\/scm\/payments-gateway\.git/,
    );
  });

  it('does nothing in a dry run', async () => {
    const { ctx, output } = actionContext({
      input: { repo: 'payments-gateway', sourcePath: 'service' },
      workspacePath: workspace,
      isDryRun: true,
    });
    await action().handler(ctx);
    expect(existsSync(join(base, 'git', 'payments-gateway.git'))).toBe(false);
    expect(output).toHaveBeenCalledWith(
      'repoContentsUrl',
      `file://${base}/git/payments-gateway.git/-/tree/main/`,
    );
  });

  it('does not push again when a resumed task repeats the step', async () => {
    const checkpoints = new Map<string, unknown>();
    const run = () =>
      action().handler(
        actionContext({
          input: { repo: 'payments-gateway', sourcePath: 'service' },
          workspacePath: workspace,
          checkpoints,
        }).ctx,
      );
    await run();
    await expect(run()).resolves.toBeUndefined();
    expect(checkpoints.size).toBe(1);
  });

  describe('over HTTPS with a token', () => {
    const token = 'ghp_s3cr3t-token-never-logged';
    let http: FakeGitServer;

    beforeEach(async () => {
      bareRepo(join(base, 'http', 'payments-gateway.git'));
      http = await startGitServer({
        root: join(base, 'http'),
        auth: { username: 'fleetdeck', token },
      });
    });
    afterEach(() => http.stop());

    it('pushes with the token and never logs it', async () => {
      const { ctx, lines } = actionContext({
        input: { repo: 'payments-gateway', sourcePath: 'service' },
        workspacePath: workspace,
      });
      await action([
        { name: 'scm', baseUrl: http.url, username: 'fleetdeck', token },
      ]).handler(ctx);
      expect(branches(join(base, 'http', 'payments-gateway.git'))).toEqual([
        'main',
      ]);
      const log = lines.join('\n');
      expect(log).toContain('Pushed');
      expect(log).not.toContain(token);
      expect(log).not.toContain(
        Buffer.from(`fleetdeck:${token}`).toString('base64'),
      );
      expect(
        git(['-C', join(workspace, 'service'), 'config', '--list']),
      ).not.toContain(token);
    });

    it('reports refused credentials without showing them', async () => {
      const wrong = 'ghp_wrong-token-also-secret';
      const { ctx, lines } = actionContext({
        input: { repo: 'payments-gateway', sourcePath: 'service' },
        workspacePath: workspace,
      });
      const error = await action([
        { name: 'scm', baseUrl: http.url, username: 'fleetdeck', token: wrong },
      ])
        .handler(ctx)
        .catch(e => e);
      expect(error.message).toMatch(
        /refused the credentials configured for http:\/\/127\.0\.0\.1/,
      );
      expect(`${error.message}${error.stack}${lines.join('\n')}`).not.toContain(
        wrong,
      );
      expect(http.authorizations).toContain(
        `Basic ${Buffer.from(`fleetdeck:${wrong}`).toString('base64')}`,
      );
      expect(branches(join(base, 'http', 'payments-gateway.git'))).toEqual([]);
    });
  });
});
