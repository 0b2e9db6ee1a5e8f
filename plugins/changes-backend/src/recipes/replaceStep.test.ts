import { recipeSchema } from '@fleetdeck/plugin-changes-common';
import { applyRecipe } from './applyRecipe';
import { createTestRepo, TestRepo } from './__testUtils__/testRepo';

describe('replace steps', () => {
  let repo: TestRepo;
  afterEach(() => repo?.dispose());

  it('bumps the base image of every Dockerfile, keeping the tag suffix', async () => {
    repo = await createTestRepo({
      Dockerfile:
        'FROM node:18-alpine AS build\nRUN npm ci\nFROM node:18\nCMD ["node", "."]\n',
      'tools/Dockerfile':
        '# FROM node:18 in a comment stays\nFROM node:18.19.0-slim\n',
      'docs/Dockerfile.md': 'FROM node:18\n',
    });
    const recipe = recipeSchema.parse([
      {
        type: 'replace',
        files: ['**/Dockerfile'],
        pattern: String.raw`^FROM node:18(\S*)`,
        flags: 'm',
        replacement: 'FROM node:20$1',
      },
    ]);

    const result = await applyRecipe(repo.dir, recipe, { trusted: false });

    expect(result).toEqual({
      changedFiles: ['Dockerfile', 'tools/Dockerfile'],
      skipped: [],
    });
    expect(await repo.read('Dockerfile')).toBe(
      'FROM node:20-alpine AS build\nRUN npm ci\nFROM node:20\nCMD ["node", "."]\n',
    );
    expect(await repo.read('tools/Dockerfile')).toBe(
      '# FROM node:18 in a comment stays\nFROM node:20.19.0-slim\n',
    );
    expect(await repo.read('docs/Dockerfile.md')).toBe('FROM node:18\n');
  });

  it('keeps CRLF line endings, a BOM and named groups', async () => {
    repo = await createTestRepo({
      'app.ini': '\uFEFF[server]\r\nport = 8080\r\nhost = a\r\n',
    });
    const recipe = recipeSchema.parse([
      {
        type: 'replace',
        files: ['*.ini'],
        pattern: String.raw`port = (?<port>\d+)`,
        replacement: 'port = 9$<port>',
      },
    ]);

    await applyRecipe(repo.dir, recipe, { trusted: false });

    expect(await repo.readBytes('app.ini')).toEqual(
      Buffer.from('\uFEFF[server]\r\nport = 98080\r\nhost = a\r\n', 'utf8'),
    );
  });

  it('changes nothing when nothing matches', async () => {
    repo = await createTestRepo({ Dockerfile: 'FROM python:3.12\n' });
    const recipe = recipeSchema.parse([
      {
        type: 'replace',
        files: ['Dockerfile'],
        pattern: 'node:18',
        replacement: 'node:20',
      },
    ]);

    const result = await applyRecipe(repo.dir, recipe, { trusted: false });

    expect(result).toEqual({ changedFiles: [], skipped: [] });
    expect(await repo.read('Dockerfile')).toBe('FROM python:3.12\n');
  });

  it('replaces a fixed string literally, `$1` and all', async () => {
    repo = await createTestRepo({ 'a.txt': 'price: (a+)+ and (a+)+\n' });
    const recipe = recipeSchema.parse([
      {
        type: 'replace',
        files: ['a.txt'],
        pattern: '(a+)+',
        fixedString: true,
        replacement: '$1 $& $$',
      },
    ]);

    await applyRecipe(repo.dir, recipe, { trusted: false });

    expect(await repo.read('a.txt')).toBe('price: $1 $& $$ and $1 $& $$\n');
  });

  it('stops a catastrophic pattern with a clear error, and keeps working afterwards', async () => {
    repo = await createTestRepo({
      'src/ok.txt': 'hello\n',
      'src/x.txt': `${'a'.repeat(40)}b\n`,
    });
    const slow = recipeSchema.parse([
      {
        type: 'replace',
        files: ['src/*.txt'],
        pattern: '(a+)+$',
        replacement: 'z',
      },
    ]);

    const started = Date.now();
    await expect(
      applyRecipe(repo.dir, slow, { trusted: false }),
    ).rejects.toThrow(
      'step 1: the pattern took longer than 2000 ms on src/x.txt (catastrophic backtracking?)',
    );
    expect(Date.now() - started).toBeLessThan(3000);

    const fine = recipeSchema.parse([
      {
        type: 'replace',
        files: ['src/*.txt'],
        pattern: '^hel+o$',
        flags: 'm',
        replacement: 'bye',
      },
    ]);
    const result = await applyRecipe(repo.dir, fine, { trusted: false });
    expect(result.changedFiles).toEqual(['src/ok.txt']);
    expect(await repo.read('src/ok.txt')).toBe('bye\n');
  });

  it('lets one repository time out while another runs beside it', async () => {
    repo = await createTestRepo({ 'x.txt': `${'a'.repeat(40)}b\n` });
    const other = await createTestRepo({ 'x.txt': 'aaab' });
    try {
      const recipe = recipeSchema.parse([
        {
          type: 'replace',
          files: ['x.txt'],
          pattern: '(a+)+b$',
          replacement: 'ok',
        },
      ]);

      const [slow, fine] = await Promise.allSettled([
        applyRecipe(repo.dir, recipe, { trusted: false, fileTimeoutMs: 300 }),
        applyRecipe(other.dir, recipe, { trusted: false, fileTimeoutMs: 300 }),
      ]);

      expect(slow).toMatchObject({
        status: 'rejected',
        reason: {
          message: expect.stringContaining('took longer than 300 ms on x.txt'),
        },
      });
      expect(fine).toEqual({
        status: 'fulfilled',
        value: { changedFiles: ['x.txt'], skipped: [] },
      });
      expect(await other.read('x.txt')).toBe('ok');
    } finally {
      await other.dispose();
    }
  });

  it('stops when the change is cancelled', async () => {
    repo = await createTestRepo({ 'x.txt': `${'a'.repeat(40)}b\n` });
    const recipe = recipeSchema.parse([
      {
        type: 'replace',
        files: ['x.txt'],
        pattern: '(a+)+$',
        replacement: 'z',
      },
    ]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('change cancelled')), 100);

    const started = Date.now();
    await expect(
      applyRecipe(repo.dir, recipe, {
        trusted: false,
        signal: controller.signal,
      }),
    ).rejects.toThrow('change cancelled');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses an invalid pattern before touching any file', async () => {
    repo = await createTestRepo({ 'a.txt': 'one\n' });
    const recipe = recipeSchema.parse([
      { type: 'replace', files: ['a.txt'], pattern: 'one', replacement: 'two' },
      {
        type: 'replace',
        files: ['a.txt'],
        pattern: '(unclosed',
        replacement: 'x',
      },
    ]);

    await expect(
      applyRecipe(repo.dir, recipe, { trusted: false }),
    ).rejects.toThrow(
      /^step 2: the pattern is not a valid regular expression: .*Unterminated group/,
    );
    expect(await repo.read('a.txt')).toBe('one\n');
  });

  it('refuses globs that reach outside the checkout even without the schema', async () => {
    repo = await createTestRepo({ 'a.txt': 'one\n' });
    for (const glob of ['../*.txt', '/etc/passwd', '{..,src}/a.txt']) {
      await expect(
        applyRecipe(
          repo.dir,
          [
            {
              type: 'replace',
              files: [glob],
              pattern: 'x',
              fixedString: true,
              flags: '',
              replacement: 'y',
            },
          ],
          { trusted: false },
        ),
      ).rejects.toThrow(
        `step 1: the glob "${glob}" points outside the checkout; writes outside the checkout are refused`,
      );
    }
  });
});
