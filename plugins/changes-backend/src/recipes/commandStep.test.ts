import { recipeSchema } from '@fleetdeck/plugin-changes-common';
import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { mkdir, readFile, symlink } from 'fs/promises';
import { createServer, Server } from 'net';
import { join } from 'path';
import { applyRecipe } from './applyRecipe';
import { createTestRepo, TestRepo } from './__testUtils__/testRepo';

describe('command steps', () => {
  let repo: TestRepo;
  afterEach(() => repo?.dispose());

  it('are refused in a change from an untrusted source, before any step runs', async () => {
    repo = await createTestRepo({ '.nvmrc': '18\n' });
    const recipe = recipeSchema.parse([
      { type: 'replace', files: ['.nvmrc'], pattern: '18', replacement: '20' },
      { type: 'command', command: ['touch', 'ran'] },
    ]);

    await expect(
      applyRecipe(repo.dir, recipe, { trusted: false }),
    ).rejects.toThrow(
      'step 2: command steps run only in changes from a trusted source',
    );
    expect(await repo.read('.nvmrc')).toBe('18\n');
    expect(existsSync(join(repo.dir, 'ran'))).toBe(false);
  });

  it('change the checkout, and only the checkout, in a sandbox', async () => {
    repo = await createTestRepo({ '.nvmrc': '18\n' });
    const besideCheckout = join(repo.parent, 'beside.txt');
    const elsewhere = `/var/tmp/fleetdeck-recipe-${process.pid}-${Date.now()}`;
    process.env.FLEETDECK_TEST_SECRET = 'hunter2';
    const script = [
      'sed -i s/18/20/ .nvmrc',
      'mkdir -p generated && env | sort > generated/env.txt',
      `echo pwned > ${besideCheckout}`,
      `echo pwned > ${elsewhere}`,
      'echo pwned > .git/hooks/pre-commit',
      'true',
    ].join('; ');
    const recipe = recipeSchema.parse([
      { type: 'command', command: ['sh', '-c', script] },
    ]);

    const result = await applyRecipe(repo.dir, recipe, {
      trusted: true,
    }).finally(() => delete process.env.FLEETDECK_TEST_SECRET);

    expect(result).toEqual({
      changedFiles: ['.nvmrc', 'generated/env.txt'],
      skipped: [],
    });
    expect(await repo.read('.nvmrc')).toBe('20\n');
    expect(existsSync(besideCheckout)).toBe(false);
    expect(existsSync(elsewhere)).toBe(false);
    expect(existsSync(join(repo.dir, '.git/hooks/pre-commit'))).toBe(false);
    const env = await repo.read('generated/env.txt');
    expect(env).toContain('HOME=/tmp/home\n');
    expect(env).toContain('LANG=C.UTF-8\n');
    expect(env).not.toMatch(/^GIT_|hunter2/m);
  });

  it('have no network', async () => {
    repo = await createTestRepo({ 'a.txt': 'a\n' });
    let connections = 0;
    const server = await listen(() => (connections += 1));
    const port = (server.address() as { port: number }).port;
    try {
      const recipe = recipeSchema.parse([
        {
          type: 'command',
          command: ['bash', '-c', `echo hi > /dev/tcp/127.0.0.1/${port}`],
        },
      ]);

      await expect(
        applyRecipe(repo.dir, recipe, { trusted: true }),
      ).rejects.toThrow(
        /^step 1: the command bash exited with 1:\n.*(Connection refused|Network is unreachable)/,
      );
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('fail with the end of their output, and are stopped at their time limit', async () => {
    repo = await createTestRepo({ 'a.txt': 'a\n' });
    const failing = recipeSchema.parse([
      {
        type: 'command',
        command: ['sh', '-c', 'seq 1 20000; echo "lint failed" >&2; exit 3'],
      },
    ]);
    const error = await applyRecipe(repo.dir, failing, { trusted: true }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^step 1: the command sh exited with 3:\n/,
    );
    expect((error as Error).message).toMatch(/20000\nlint failed$/);
    expect((error as Error).message.length).toBeLessThan(70 * 1024);

    const slow = recipeSchema.parse([
      {
        type: 'command',
        command: ['sh', '-c', 'sleep 30 & sleep 30'],
        timeoutSeconds: 1,
      },
    ]);
    const started = Date.now();
    await expect(
      applyRecipe(repo.dir, slow, { trusted: true }),
    ).rejects.toThrow(
      'step 1: the command sh took longer than 1 s and was stopped',
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('never run without the sandbox', async () => {
    repo = await createTestRepo({ 'a.txt': 'a\n' });
    const onlyGit = join(repo.parent, 'bin');
    await mkdir(onlyGit);
    await symlink(
      execFileSync('sh', ['-c', 'command -v git']).toString().trim(),
      join(onlyGit, 'git'),
    );
    const path = process.env.PATH;
    process.env.PATH = onlyGit;
    try {
      const recipe = recipeSchema.parse([
        { type: 'command', command: ['touch', 'ran'] },
      ]);
      await expect(
        applyRecipe(repo.dir, recipe, { trusted: true }),
      ).rejects.toThrow(
        'step 1: command steps run in a bubblewrap sandbox, but bwrap is not installed (Debian package bubblewrap)',
      );
    } finally {
      process.env.PATH = path;
    }
    expect(existsSync(join(repo.dir, 'ran'))).toBe(false);
    expect(await readFile(join(repo.dir, 'a.txt'), 'utf8')).toBe('a\n');
  });
});

function listen(onConnection: () => void): Promise<Server> {
  return new Promise(resolve => {
    const server = createServer(socket => {
      onConnection();
      socket.destroy();
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
