import { ScmIntegrations } from '@backstage/integration';
import { mkdtempSync, rmSync } from 'fs';
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
import { createGitopsRegisterAction } from './gitopsRegister';
import { examples } from './gitopsRegister.examples';

jest.setTimeout(60_000);

describe('fleetdeck:gitops:register', () => {
  let base: string;
  let workspace: string;
  let gitops: string;
  const seed = { 'README.md': '# GitOps\n', 'apps/.gitkeep': '' };
  const files = {
    'apps/payments-gateway/values-dev.yaml': 'image:\n  tag: latest\n',
    'argocd/payments-gateway/dev.yaml': 'kind: Application\n',
  };

  const action = () => {
    const config = configWith({
      servers: [{ name: 'demo', baseUrl: join(base, 'git') }],
      gitopsRepoUrl: gitops,
    });
    return createGitopsRegisterAction({
      config,
      servers: GitServers.fromConfig(config),
      integrations: ScmIntegrations.fromConfig(config),
    });
  };
  const run = (input: Record<string, unknown>) => {
    const context = actionContext({ input, workspacePath: workspace });
    return { ...context, done: action().handler(context.ctx) };
  };

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'fleetdeck-gitops-'));
    workspace = join(base, 'workspace');
    gitops = bareRepo(join(base, 'git', 'gitops.git'), seed);
    writeFiles(join(workspace, 'gitops'), files);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it.each(examples.map(e => [e.description, e]))(
    'runs the example: %s',
    async (_, example) => {
      const { input } = yaml.parse(example.example).steps[0];
      const { done, output } = run(input);
      await done;
      expect(output).toHaveBeenCalledWith(
        'branchName',
        'fleetdeck/add-payments-gateway',
      );
      expect(branches(gitops).sort()).toEqual(
        input.checkOnly ? ['main'] : ['fleetdeck/add-payments-gateway', 'main'],
      );
    },
  );

  it('proposes the files on a branch, by the user, leaving main as it was', async () => {
    const main = git(['--git-dir', gitops, 'rev-parse', 'main']);
    const { done, output } = run({ service: 'payments-gateway' });
    await done;
    const branch = 'fleetdeck/add-payments-gateway';
    expect(show(gitops, branch, 'argocd/payments-gateway/dev.yaml')).toBe(
      'kind: Application\n',
    );
    expect(show(gitops, branch, 'README.md')).toBe('# GitOps\n');
    expect(
      git(['--git-dir', gitops, 'log', '-1', '--format=%an|%s', branch]),
    ).toBe('Emma Dubois|Add payments-gateway to GitOps (Argo CD Applications)');
    expect(git(['--git-dir', gitops, 'rev-parse', 'main'])).toBe(main);
    expect(output).toHaveBeenCalledWith(
      'commitHash',
      git(['--git-dir', gitops, 'rev-parse', branch]),
    );
  });

  it('commits straight to main when asked to', async () => {
    await run({ service: 'payments-gateway', branchName: 'main' }).done;
    expect(branches(gitops)).toEqual(['main']);
    expect(show(gitops, 'main', 'apps/payments-gateway/values-dev.yaml')).toBe(
      files['apps/payments-gateway/values-dev.yaml'],
    );
  });

  it('refuses to overwrite different content already in the repository', async () => {
    rmSync(gitops, { recursive: true });
    bareRepo(gitops, {
      ...seed,
      'apps/payments-gateway/values-dev.yaml': 'replicaCount: 9\n',
    });
    const { done } = run({ service: 'payments-gateway' });
    await expect(done).rejects.toThrow(
      'already has different content on main at apps/payments-gateway/values-dev.yaml; nothing was pushed',
    );
    expect(branches(gitops)).toEqual(['main']);
  });

  it('refuses when the registration branch already exists', async () => {
    await run({ service: 'payments-gateway' }).done;
    const { done } = run({ service: 'payments-gateway', checkOnly: true });
    await expect(done).rejects.toThrow(
      'already has a branch fleetdeck/add-payments-gateway; nothing was pushed',
    );
  });

  it('accepts a service whose files are already there, unchanged', async () => {
    rmSync(gitops, { recursive: true });
    bareRepo(gitops, { ...seed, ...files });
    const { done, lines } = run({ service: 'payments-gateway' });
    await done;
    expect(branches(gitops)).toEqual(['main']);
    expect(lines.join('\n')).toContain('already has these files on main');
  });

  it('says clearly when the GitOps repository is missing', async () => {
    rmSync(gitops, { recursive: true });
    await expect(run({ service: 'payments-gateway' }).done).rejects.toThrow(
      /The git repository file:\/\/.*gitops\.git does not exist or cannot be read/,
    );
  });

  it('writes nothing in a dry run', async () => {
    const context = actionContext({
      input: { service: 'payments-gateway' },
      workspacePath: workspace,
      isDryRun: true,
    });
    await action().handler(context.ctx);
    expect(branches(gitops)).toEqual(['main']);
    expect(context.lines.join('\n')).toContain(
      'Dry run: would add apps/payments-gateway/values-dev.yaml',
    );
  });
});
