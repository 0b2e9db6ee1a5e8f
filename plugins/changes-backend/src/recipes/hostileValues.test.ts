import { recipeSchema } from '@fleetdeck/plugin-changes-common';
import { existsSync } from 'fs';
import { parse } from 'yaml';
import { applyRecipe } from './applyRecipe';
import { createTestRepo, TestRepo } from './__testUtils__/testRepo';

describe('values in a recipe', () => {
  let repo: TestRepo;
  afterEach(() => repo?.dispose());

  const marker = `/tmp/fleetdeck-pwned-${process.pid}`;
  const hostile = `$(touch ${marker}) \`touch ${marker}\` {{ .Values.secret }} \${HOME}\nsecond line`;

  it('are written literally, never run or expanded', async () => {
    repo = await createTestRepo({
      'regex.txt': 'version: old\n',
      'fixed.txt': 'version: old\n',
      'package.json': '{\n  "description": "old"\n}\n',
      'values.yaml': 'description: old # keep\nother: 1\n',
    });
    const recipe = recipeSchema.parse([
      {
        type: 'replace',
        files: ['regex.txt'],
        pattern: 'ol(d)',
        replacement: hostile,
      },
      {
        type: 'replace',
        files: ['fixed.txt'],
        pattern: 'old',
        fixedString: true,
        replacement: hostile,
      },
      {
        type: 'setField',
        files: ['package.json', 'values.yaml'],
        path: 'description',
        value: hostile,
      },
    ]);

    const result = await applyRecipe(repo.dir, recipe, { trusted: false });

    expect(result.skipped).toEqual([]);
    expect(result.changedFiles).toEqual([
      'fixed.txt',
      'package.json',
      'regex.txt',
      'values.yaml',
    ]);
    expect(await repo.read('regex.txt')).toBe(`version: ${hostile}\n`);
    expect(await repo.read('fixed.txt')).toBe(`version: ${hostile}\n`);
    expect(JSON.parse(await repo.read('package.json')).description).toBe(
      hostile,
    );
    const yaml = await repo.read('values.yaml');
    expect(parse(yaml)).toEqual({ description: hostile, other: 1 });
    expect(yaml).toMatch(/^description: ".*" # keep\nother: 1\n$/);
    expect(existsSync(marker)).toBe(false);
  });
});
