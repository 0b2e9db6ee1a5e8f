import { recipeSchema } from '@fleetdeck/plugin-changes-common';
import { applyRecipe } from './applyRecipe';
import { createTestRepo, TestRepo } from './__testUtils__/testRepo';

const PACKAGE_JSON = `{
  "name": "payments",
  "version": "1.4.0",
  "dependencies": {
    "express": "^4.18.2",
    "lodash.merge": "^4.6.2"
  },
  "engines": {
    "node": "18"
  }
}
`;

const VALUES_YAML = `# Default values for payments.
replicaCount: 2

image:
  repository: registry.example/payments  # where CI pushes
  # bump with every release
  tag: "1.4.0"   # pinned by the release job
  pullPolicy: IfNotPresent

ports:
- name: http
  port: 8080
`;

describe('setField steps', () => {
  let repo: TestRepo;
  afterEach(() => repo?.dispose());

  function setField(
    files: string[],
    path: string,
    value: string | number | boolean,
    create = false,
  ) {
    return recipeSchema.parse([
      { type: 'setField', files, path, value, create },
    ]);
  }

  it('bumps a package.json dependency exactly as a careful person would', async () => {
    repo = await createTestRepo({ 'package.json': PACKAGE_JSON });

    const result = await applyRecipe(
      repo.dir,
      setField(['package.json'], 'dependencies.express', '^4.21.2'),
      { trusted: false },
    );

    expect(result).toEqual({ changedFiles: ['package.json'], skipped: [] });
    expect(await repo.read('package.json')).toBe(
      PACKAGE_JSON.replace('"^4.18.2"', '"^4.21.2"'),
    );
  });

  it('adds a field only with create, in the same layout as JSON.stringify', async () => {
    repo = await createTestRepo({ 'package.json': PACKAGE_JSON });

    await applyRecipe(
      repo.dir,
      setField(['package.json'], 'scripts.lint', 'eslint .'),
      { trusted: false },
    );
    expect(await repo.read('package.json')).toBe(PACKAGE_JSON);

    await applyRecipe(
      repo.dir,
      setField(['package.json'], 'scripts.lint', 'eslint .', true),
      { trusted: false },
    );
    const expected = {
      ...JSON.parse(PACKAGE_JSON),
      scripts: { lint: 'eslint .' },
    };
    expect(await repo.read('package.json')).toBe(
      `${JSON.stringify(expected, null, 2)}\n`,
    );
  });

  it('keeps the value type as given, tabs, CRLF and keys holding dots', async () => {
    const source =
      '{\r\n\t"engines": {\r\n\t\t"node": 18\r\n\t},\r\n\t"dependencies": {\r\n\t\t"lodash.merge": "4.6.1"\r\n\t}\r\n}';
    repo = await createTestRepo({ 'package.json': source });

    await applyRecipe(
      repo.dir,
      recipeSchema.parse([
        {
          type: 'setField',
          files: ['package.json'],
          path: 'engines.node',
          value: '20',
        },
        {
          type: 'setField',
          files: ['package.json'],
          path: 'dependencies["lodash.merge"]',
          value: '4.6.2',
        },
        {
          type: 'setField',
          files: ['package.json'],
          path: 'private',
          value: true,
          create: true,
        },
      ]),
      { trusted: false },
    );

    expect(await repo.read('package.json')).toBe(
      '{\r\n\t"engines": {\r\n\t\t"node": "20"\r\n\t},\r\n\t"dependencies": {\r\n\t\t"lodash.merge": "4.6.2"\r\n\t},\r\n\t"private": true\r\n}',
    );
  });

  it('leaves a file byte for byte when the value is already set', async () => {
    repo = await createTestRepo({
      'package.json': PACKAGE_JSON,
      'values.yaml': VALUES_YAML,
    });

    const result = await applyRecipe(
      repo.dir,
      recipeSchema.parse([
        {
          type: 'setField',
          files: ['package.json'],
          path: 'engines.node',
          value: '18',
        },
        {
          type: 'setField',
          files: ['values.yaml'],
          path: 'image.tag',
          value: '1.4.0',
        },
        {
          type: 'setField',
          files: ['values.yaml'],
          path: 'replicaCount',
          value: 2,
        },
      ]),
      { trusted: false },
    );

    expect(result).toEqual({ changedFiles: [], skipped: [] });
  });

  it('sets a chart image tag, keeping every comment and the rest of the file', async () => {
    repo = await createTestRepo({ 'charts/payments/values.yaml': VALUES_YAML });

    const result = await applyRecipe(
      repo.dir,
      setField(['charts/*/values.yaml'], 'image.tag', '1.5.0'),
      { trusted: false },
    );

    expect(result.changedFiles).toEqual(['charts/payments/values.yaml']);
    expect(await repo.read('charts/payments/values.yaml')).toBe(
      VALUES_YAML.replace('"1.4.0"', '"1.5.0"'),
    );
  });

  it('quotes YAML strings that other readers would take for something else', async () => {
    repo = await createTestRepo({ 'values.yaml': VALUES_YAML });

    await applyRecipe(
      repo.dir,
      recipeSchema.parse([
        {
          type: 'setField',
          files: ['values.yaml'],
          path: 'image.pullPolicy',
          value: 'yes',
        },
        {
          type: 'setField',
          files: ['values.yaml'],
          path: 'ports.0.port',
          value: '0777',
        },
        {
          type: 'setField',
          files: ['values.yaml'],
          path: 'replicaCount',
          value: 3,
        },
      ]),
      { trusted: false },
    );

    expect(await repo.read('values.yaml')).toBe(
      VALUES_YAML.replace('IfNotPresent', '"yes"')
        .replace('port: 8080', 'port: "0777"')
        .replace('replicaCount: 2', 'replicaCount: 3'),
    );
  });

  it('creates a missing YAML field only with create', async () => {
    const source = 'image:\n  repository: nginx # upstream\nports:\n- 80\n';
    repo = await createTestRepo({ 'values.yaml': source });

    const without = await applyRecipe(
      repo.dir,
      setField(['values.yaml'], 'image.tag', '1.27'),
      { trusted: false },
    );
    expect(without.changedFiles).toEqual([]);

    await applyRecipe(
      repo.dir,
      setField(['values.yaml'], 'image.tag', '1.27', true),
      { trusted: false },
    );
    expect(await repo.read('values.yaml')).toBe(
      'image:\n  repository: nginx # upstream\n  tag: "1.27"\nports:\n- 80\n',
    );
  });

  it('changes every document of a multi-document manifest that has the field', async () => {
    const source =
      'kind: A\nspec:\n  replicas: 1\n---\nkind: B\n---\nkind: C\nspec:\n  replicas: 1 # low\n';
    repo = await createTestRepo({ 'deploy.yaml': source });

    await applyRecipe(repo.dir, setField(['deploy.yaml'], 'spec.replicas', 3), {
      trusted: false,
    });

    expect(await repo.read('deploy.yaml')).toBe(
      source.replace(/replicas: 1/g, 'replicas: 3'),
    );
  });

  it('skips unparsable and unsupported files with a reason, and changes the rest', async () => {
    repo = await createTestRepo({
      'a/values.yaml': 'image:\n  tag: [unclosed\n',
      'b/values.yaml': 'image:\n  tag: old\n',
      'c/values.json': '{ "image": { "tag": "old" } ',
      'd/values.toml': 'tag = "old"\n',
      'e/values.yaml': 'image: nginx:old\n',
    });

    const result = await applyRecipe(
      repo.dir,
      setField(['*/values.*'], 'image.tag', 'new'),
      { trusted: false },
    );

    expect(result.changedFiles).toEqual(['b/values.yaml']);
    expect(await repo.read('b/values.yaml')).toBe('image:\n  tag: new\n');
    expect(result.skipped).toEqual([
      {
        path: 'a/values.yaml',
        reason: expect.stringMatching(/^unparsable YAML: /),
      },
      {
        path: 'c/values.json',
        reason: expect.stringMatching(/^unparsable JSON: /),
      },
      {
        path: 'd/values.toml',
        reason: 'not a YAML or JSON file (.yaml, .yml, .json)',
      },
      { path: 'e/values.yaml', reason: 'image is not a mapping' },
    ]);
  });

  it('refuses a field path it cannot read', async () => {
    repo = await createTestRepo({ 'package.json': PACKAGE_JSON });

    await expect(
      applyRecipe(
        repo.dir,
        setField(['package.json'], 'dependencies["express', 'x'),
        { trusted: false },
      ),
    ).rejects.toThrow(
      'step 1: the field path "dependencies["express" has an unclosed ["...',
    );
  });
});
