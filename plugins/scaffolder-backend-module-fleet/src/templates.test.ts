import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  ComponentEntity,
  componentEntityV1alpha1Validator,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import notificationsModule from '@backstage/plugin-scaffolder-backend-module-notifications';
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import request from 'supertest';
import yaml from 'yaml';
import { scaffolderModuleFleet } from './module';
import {
  checkDeclarativeJenkinsfile,
  shellCommands,
} from './__testUtils__/jenkinsfile';
import {
  dryRunBody,
  exampleTemplateDir,
  RenderedFiles,
  renderedFiles,
  templatesDir,
} from './__testUtils__/templates';

jest.setTimeout(120_000);

const guest = mockCredentials.user.header('user:default/guest');
const microservice = join(templatesDir, 'microservice');
const literal =
  'Routes ${{ parameters.name }} and {% if true %}x{% endif %} {{ secrets.token }}: "quotes" & #hash';

const entities = [
  { kind: 'Group', name: 'payments' },
  { kind: 'System', name: 'payments-platform' },
  { kind: 'Component', name: 'payments-api' },
].map(({ kind, name }) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
  spec: {},
}));
const cluster = {
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'kafka-prod-01', namespace: 'default' },
  spec: {},
};

const policy = EntityPolicies.allOf([
  new FieldFormatEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

/**
 * Parses a pipeline (throwing when it does not parse) into its jobs or stages
 * and the shell commands they run.
 */
function pipelineOf(ciSystem: string, source: string) {
  if (ciSystem === 'jenkins') {
    const pipeline = checkDeclarativeJenkinsfile(source);
    const stages = pipeline.children.find(c => c.name === 'stages')!;
    return {
      jobs: stages.children.map(s => s.args.slice(2, -2)),
      commands: shellCommands(pipeline),
    };
  }
  if (ciSystem === 'github-actions') {
    const workflow = yaml.parse(source);
    return {
      jobs: Object.keys(workflow.jobs),
      commands: Object.values<any>(workflow.jobs).flatMap(job =>
        job.steps.map((s: any) => s.run).filter(Boolean),
      ),
    };
  }
  const pipeline = yaml.parse(source);
  const jobs = Object.keys(pipeline).filter(k => pipeline[k]?.script);
  return {
    jobs,
    commands: jobs.flatMap(job => [
      ...(pipeline[job].before_script ?? []),
      ...pipeline[job].script,
    ]),
  };
}

/** Script paths a pipeline runs, e.g. scripts/ci/test.sh. */
function scriptsIn(commands: string[]) {
  return commands.flatMap(c => c.match(/scripts\/[\w./-]+/g) ?? []);
}

describe('templates in dry-run', () => {
  let server: Parameters<typeof request>[0];
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'fleetdeck-dry-run-'));
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        githubModule,
        scaffolderModuleFleet,
        notificationsModule,
        catalogServiceMock.factory({ entities: [...entities, cluster] }),
        mockServices.rootConfig.factory({
          data: {
            fleetdeck: {
              git: { servers: [{ name: 'demo', baseUrl: `${base}/git` }] },
              gitops: { repoUrl: `${base}/git/gitops.git` },
            },
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
    rmSync(base, { recursive: true, force: true });
  });

  const dryRun = (dir: string, values: Record<string, unknown>) =>
    request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', guest)
      .send(dryRunBody(dir, values));

  const values = (ciSystem: string) => ({
    name: 'payments-gateway',
    description: literal,
    owner: 'group:default/payments',
    system: 'system:default/payments-platform',
    lifecycle: 'production',
    clusters: ['cluster:default/kafka-prod-01'],
    ciSystem,
    gitTarget: 'git',
  });

  describe.each([
    ['github-actions', 'service/.github/workflows/ci.yaml'],
    ['gitlab-ci', 'service/.gitlab-ci.yml'],
    ['jenkins', 'service/Jenkinsfile'],
  ])('Microservice with %s', (ciSystem, pipelinePath) => {
    let files: RenderedFiles;
    const file = (path: string) => {
      const f = files.get(path);
      if (!f) throw new Error(`${path} was not rendered`);
      return f.content;
    };

    beforeAll(async () => {
      const res = await dryRun(microservice, values(ciSystem));
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
      files = renderedFiles(res.body);
      const failed = res.body.log.filter(
        (l: any) => l.body.status === 'failed',
      );
      if (failed.length) throw new Error(JSON.stringify(failed));
    });

    it('renders the service, its chart and only the chosen pipeline', () => {
      for (const path of [
        'service/catalog-info.yaml',
        'service/README.md',
        'service/Dockerfile',
        'service/package.json',
        'service/src/server.js',
        'service/test/server.test.js',
        'service/chart/Chart.yaml',
        'service/chart/values.yaml',
        'service/chart/templates/deployment.yaml',
        'service/chart/templates/service.yaml',
        pipelinePath,
      ]) {
        expect(files.has(path)).toBe(true);
      }
      const pipelines = [...files.keys()].filter(p =>
        /Jenkinsfile|gitlab-ci|\.github/.test(p),
      );
      expect(pipelines).toEqual([pipelinePath]);
      expect(file('service/Dockerfile')).toMatch(
        /^FROM node:20-alpine$[\s\S]*CMD \["node", "src\/server.js"\]/m,
      );
      expect(yaml.parse(file('service/chart/Chart.yaml')).name).toBe(
        'payments-gateway',
      );
      // Helm's own template syntax passes through untouched.
      expect(file('service/chart/templates/deployment.yaml')).toContain(
        'image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
      );
    });

    it('writes a catalog-info.yaml that the catalog model accepts', async () => {
      const entity = yaml.parse(
        file('service/catalog-info.yaml'),
      ) as ComponentEntity;
      await expect(policy.enforce(entity)).resolves.toBeDefined();
      expect(await componentEntityV1alpha1Validator.check(entity)).toBe(true);
      expect(entity.metadata.name).toBe('payments-gateway');
      expect(entity.metadata.description).toBe(literal);
      expect(entity.spec).toEqual({
        type: 'service',
        lifecycle: 'production',
        owner: 'group:default/payments',
        system: 'system:default/payments-platform',
        dependsOn: ['cluster:default/kafka-prod-01'],
      });
      const annotations = entity.metadata.annotations!;
      expect(annotations['backstage.io/source-location']).toBe(
        `url:file://${base}/git/payments-gateway.git/-/tree/main/`,
      );
      expect(annotations['fleetdeck.io/deployments-environments']).toBe(
        'dev,staging,production',
      );
      expect(annotations['fleetdeck.io/ci']).toBe(ciSystem);
      expect(annotations['fleetdeck.io/git-repo']).toBe(
        `file://${base}/git/payments-gateway.git`,
      );
    });

    it('emits template syntax in values literally', () => {
      expect(JSON.parse(file('service/package.json')).description).toBe(
        literal,
      );
      expect(file('service/README.md')).toContain(literal);
    });

    it('has a pipeline that parses and runs only scripts that exist', () => {
      const { jobs, commands } = pipelineOf(ciSystem, file(pipelinePath));
      expect(jobs).toEqual(
        {
          jenkins: ['Test', 'Build image', 'Deploy to dev'],
          'github-actions': ['test', 'image', 'deploy-dev'],
          'gitlab-ci': ['test', 'build-image', 'deploy-dev'],
        }[ciSystem],
      );
      // Each deploys the commit it built; GitHub's own expressions survive
      // the scaffolder's templating.
      expect(commands.join('\n')).toMatch(
        /update-gitops\.sh dev "(\$\{\{ github\.sha \}\}|\$CI_COMMIT_SHA|\$GIT_COMMIT)"/,
      );
      expect(file(pipelinePath)).toContain('FLEETDECK_TOKEN');
      expect(file(pipelinePath)).not.toMatch(/\{%|values\./);
      const scripts = scriptsIn(commands);
      expect(new Set(scripts)).toEqual(
        new Set([
          'scripts/ci/test.sh',
          'scripts/ci/build-image.sh',
          'scripts/ci/update-gitops.sh',
          'scripts/ci/report-deployment.mjs',
        ]),
      );
      // (Their executable bit is checked on the pushed repository by the
      // end-to-end test: the dry-run API does not carry file modes in.)
      for (const script of scripts) {
        expect(files.has(`service/${script}`)).toBe(true);
      }
    });

    it('renders an Argo CD Application and values per environment', () => {
      for (const env of ['dev', 'staging', 'production']) {
        const app = yaml.parse(
          file(`gitops/argocd/payments-gateway/${env}.yaml`),
        );
        expect(app.kind).toBe('Application');
        expect(app.metadata.name).toBe(`payments-gateway-${env}`);
        expect(app.metadata.annotations).toEqual({
          'fleetdeck.io/entity-ref': 'component:default/payments-gateway',
          'fleetdeck.io/environment': env,
        });
        expect(app.spec.sources[0].repoURL).toBe(
          `file://${base}/git/payments-gateway.git`,
        );
        const valueFile = app.spec.sources[0].helm.valueFiles[0];
        expect(valueFile).toBe(
          `$values/apps/payments-gateway/values-${env}.yaml`,
        );
        expect(
          yaml.parse(file(`gitops/${valueFile.replace('$values/', '')}`)).image
            .tag,
        ).toBe('latest');
        expect(!!app.spec.syncPolicy.automated).toBe(env !== 'production');
      }
    });

    it("passes the generated service's own npm test", () => {
      const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-service-'));
      try {
        for (const [path, f] of files) {
          if (!path.startsWith('service/')) continue;
          const target = join(dir, path.slice('service/'.length));
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, f.content, {
            mode: f.executable ? 0o755 : 0o644,
          });
        }
        const run = spawnSync('npm', ['test'], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, NODE_OPTIONS: '' },
        });
        // `node --test` prints TAP (`# pass 4`) up to Node 22 and its spec
        // reporter (`ℹ pass 4`) from Node 23, also when not on a terminal
        expect(`${run.stdout}${run.stderr}`).toMatch(
          /[#ℹ] pass 4\s+[#ℹ] fail 0/,
        );
        expect(run.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it.each([
    ['../x', 'path traversal'],
    ['Payments-Gateway', 'upper case'],
    ['a'.repeat(200), '200 characters'],
    ['-payments', 'a leading dash'],
  ])('rejects the name %s (%s) before running anything', async name => {
    const res = await dryRun(microservice, { ...values('jenkins'), name });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.errors)).toMatch(/name/);
  });

  it('fails clearly, writing nothing, when the name is taken in the catalog', async () => {
    const res = await dryRun(microservice, {
      ...values('jenkins'),
      name: 'payments-api',
    });
    const messages = JSON.stringify(res.body);
    expect(messages).toContain(
      'The name payments-api is taken: component:default/payments-api is already in the catalog',
    );
    expect(res.body.directoryContents ?? []).toEqual([]);
  });

  it('still renders the stock example template of a new Backstage app', async () => {
    const res = await dryRun(exampleTemplateDir, {
      name: 'hello-world',
      repoUrl: 'github.com?owner=fleetdeck-bank&repo=hello-world',
    });
    expect(res.status).toBe(200);
    const files = renderedFiles(res.body);
    expect(yaml.parse(files.get('catalog-info.yaml')!.content)).toMatchObject({
      kind: 'Component',
      metadata: { name: 'hello-world' },
    });
    expect(files.has('index.js')).toBe(true);
    expect(res.body.log.filter((l: any) => l.body.status === 'failed')).toEqual(
      [],
    );
  });
});
