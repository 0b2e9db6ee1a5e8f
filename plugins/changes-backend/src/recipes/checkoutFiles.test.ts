import { recipeSchema } from '@fleetdeck/plugin-changes-common';
import { mkdir, readFile, rm, symlink, writeFile } from 'fs/promises';
import { join } from 'path';
import { applyRecipe } from './applyRecipe';
import { createTestRepo, TestRepo } from './__testUtils__/testRepo';

const bumpEverywhere = recipeSchema.parse([
  {
    type: 'replace',
    files: ['**'],
    pattern: 'v1',
    fixedString: true,
    replacement: 'v2',
  },
  { type: 'setField', files: ['**/*.yaml'], path: 'version', value: 'v2' },
]);

describe('the files a step selects', () => {
  let repo: TestRepo;
  afterEach(() => repo?.dispose());

  it('leaves binary, oversized and non-UTF-8 files alone, saying why', async () => {
    const png = Buffer.concat([
      Buffer.from('\x89PNG\r\n\x1a\n\0\0v1', 'latin1'),
      Buffer.alloc(64),
    ]);
    const latin1 = Buffer.from('caf\xe9 v1\n', 'latin1');
    repo = await createTestRepo({
      'logo.png': png,
      'big.txt': `v1\n${'x'.repeat(2000)}`,
      'latin1.txt': latin1,
      '.github/workflow.yaml': 'version: v1\n',
    });

    const result = await applyRecipe(repo.dir, bumpEverywhere, {
      trusted: false,
      maxFileBytes: 1000,
    });

    expect(result.changedFiles).toEqual(['.github/workflow.yaml']);
    expect(await repo.read('.github/workflow.yaml')).toBe('version: v2\n');
    expect(await repo.readBytes('logo.png')).toEqual(png);
    expect(await repo.readBytes('latin1.txt')).toEqual(latin1);
    expect(result.skipped).toEqual([
      {
        path: 'big.txt',
        reason: 'too large: 2.0 KiB, over the limit of 1000 bytes',
      },
      { path: 'latin1.txt', reason: 'not valid UTF-8' },
      { path: 'logo.png', reason: 'binary' },
    ]);
  });

  it('never writes through a symlink to a file outside the checkout', async () => {
    repo = await createTestRepo(
      { 'README.md': 'v1\n' },
      { 'values.yaml': '../outside.yaml', 'notes.txt': '/etc/hostname' },
    );
    const outside = join(repo.parent, 'outside.yaml');
    await writeFile(outside, 'version: v1\n');

    const result = await applyRecipe(repo.dir, bumpEverywhere, {
      trusted: false,
    });

    expect(result).toEqual({
      changedFiles: ['README.md'],
      skipped: [
        { path: 'notes.txt', reason: 'symlink' },
        { path: 'values.yaml', reason: 'symlink' },
      ],
    });
    expect(await readFile(outside, 'utf8')).toBe('version: v1\n');
  });

  it('refuses a tracked path whose directory was swapped for a link outside', async () => {
    repo = await createTestRepo({ 'config/values.yaml': 'version: v1\n' });
    const outside = join(repo.parent, 'elsewhere');
    await mkdir(outside);
    await writeFile(join(outside, 'values.yaml'), 'version: v1\n');
    await rm(join(repo.dir, 'config'), { recursive: true });
    await symlink(outside, join(repo.dir, 'config'));

    await expect(
      applyRecipe(repo.dir, bumpEverywhere, { trusted: false }),
    ).rejects.toThrow(
      /^step 1: config\/values.yaml resolves to .*elsewhere\/values.yaml; writes outside the checkout are refused$/,
    );
    expect(await readFile(join(outside, 'values.yaml'), 'utf8')).toBe(
      'version: v1\n',
    );
  });

  it('works only at the top of a git working tree', async () => {
    repo = await createTestRepo({ 'src/a.txt': 'v1\n' });

    await expect(
      applyRecipe(join(repo.dir, 'src'), bumpEverywhere, { trusted: false }),
    ).rejects.toThrow('is not the top of its git working tree');
    await expect(
      applyRecipe(repo.parent, bumpEverywhere, { trusted: false }),
    ).rejects.toThrow('is not a git working tree');
  });
});
