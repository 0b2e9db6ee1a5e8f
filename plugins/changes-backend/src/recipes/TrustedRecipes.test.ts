import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { TrustedRecipes } from './TrustedRecipes';

const fromRecipes = (recipes: JsonObject) =>
  TrustedRecipes.fromConfig(new ConfigReader({ changes: { recipes } }));

const editorconfig = {
  title: 'Add an .editorconfig',
  description: 'Where one is missing.',
  steps: [
    {
      type: 'command',
      command: ['sh', '-c', 'test -e .editorconfig || echo root=true > .x'],
    },
  ],
};

describe('TrustedRecipes.fromConfig', () => {
  it('reads changes.recipes with the recipe schema, defaults applied, sorted by name', () => {
    const recipes = fromRecipes({
      'node-20': {
        title: 'Node 20',
        steps: [
          {
            type: 'replace',
            files: ['Dockerfile'],
            pattern: 'node:18',
            replacement: 'node:20',
          },
        ],
      },
      'add-editorconfig': editorconfig,
    });
    expect(recipes.list()).toEqual([
      {
        name: 'add-editorconfig',
        title: 'Add an .editorconfig',
        description: 'Where one is missing.',
        steps: [{ ...editorconfig.steps[0], timeoutSeconds: 60 }],
      },
      {
        name: 'node-20',
        title: 'Node 20',
        steps: [
          {
            type: 'replace',
            files: ['Dockerfile'],
            pattern: 'node:18',
            fixedString: false,
            flags: '',
            replacement: 'node:20',
          },
        ],
      },
    ]);
    expect(recipes.get('node-20')?.title).toBe('Node 20');
    expect(recipes.get('__proto__')).toBeUndefined();
    expect(recipes.get('constructor')).toBeUndefined();
  });

  it('has no recipe when changes.recipes is unset', () => {
    expect(TrustedRecipes.fromConfig(new ConfigReader({})).list()).toEqual([]);
    expect(
      TrustedRecipes.fromConfig(new ConfigReader({ changes: {} })).names(),
    ).toEqual([]);
  });

  it('fails naming the recipe and the problem', () => {
    expect(() =>
      fromRecipes({
        'add-editorconfig': {
          ...editorconfig,
          steps: [{ type: 'command', command: [] }],
        },
      }),
    ).toThrow(
      /^Invalid recipe changes\.recipes\.add-editorconfig: steps\.0\.command: .*>=1 items/,
    );
    expect(() =>
      fromRecipes({ 'node-20': { title: 'Node 20', steps: [] } }),
    ).toThrow(/^Invalid recipe changes\.recipes\.node-20: steps: .*>=1 items/);
    expect(() =>
      fromRecipes({
        'node-20': {
          title: 'Node 20',
          steps: [{ type: 'shell', run: 'rm -rf /' }],
        },
      }),
    ).toThrow(/^Invalid recipe changes\.recipes\.node-20: steps\.0\.type: /);
    expect(() =>
      fromRecipes({
        'node-20': {
          title: 'Node 20',
          steps: [
            {
              type: 'replace',
              files: ['../secrets'],
              pattern: 'a',
              replacement: 'b',
            },
          ],
        },
      }),
    ).toThrow(
      'Invalid recipe changes.recipes.node-20: steps.0.files.0: must be a path inside the repository (no leading / and no ..)',
    );
    // a misspelt key is an error, not a recipe that silently does nothing
    expect(() =>
      fromRecipes({
        'node-20': { title: 'Node 20', step: editorconfig.steps },
      }),
    ).toThrow(
      /^Invalid recipe changes\.recipes\.node-20: steps: .*; Unrecognized key: "step"/,
    );
    expect(() =>
      fromRecipes({ 'node-20': { steps: editorconfig.steps } }),
    ).toThrow(/^Invalid recipe changes\.recipes\.node-20: title: /);
  });

  it('refuses a name that is not lowercase words joined by dashes', () => {
    expect(() => fromRecipes({ Node_20: editorconfig })).toThrow(
      "Invalid recipe name 'Node_20' in changes.recipes: a recipe name is lowercase letters and digits joined by single dashes, e.g. add-editorconfig",
    );
  });
});
