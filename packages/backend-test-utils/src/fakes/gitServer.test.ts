import { execFile } from 'child_process';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { createBareRepository, resolveRef } from './gitRepos';
import { FakeGitServer, startGitServer } from './gitServer';

const exec = promisify(execFile);

/** git as a user runs it, in `cwd`. */
async function git(cwd: string, ...args: string[]) {
  const { stdout } = await exec('git', ['-C', cwd, ...args], {
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Emma',
      GIT_AUTHOR_EMAIL: 'emma@fleetdeck.example',
      GIT_COMMITTER_NAME: 'Emma',
      GIT_COMMITTER_EMAIL: 'emma@fleetdeck.example',
    },
  });
  return stdout.trim();
}

describe('startGitServer', () => {
  let base: string;
  let server: FakeGitServer;
  let remote: string;
  const token = 'glpat-secret-token';

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'fake-git-server-'));
    await createBareRepository(join(base, 'repos', 'team', 'app.git'), {
      'README.md': '# app\n',
    });
    server = await startGitServer({
      root: join(base, 'repos'),
      auth: { username: 'fleetdeck', token },
      protectedBranches: ['main'],
    });
    const url = new URL(`${server.url}/team/app.git`);
    url.username = 'fleetdeck';
    url.password = token;
    remote = url.toString();
  });

  afterEach(async () => {
    await server.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('clones, takes a pushed branch and records the push', async () => {
    const work = join(base, 'work');
    await git(base, 'clone', '--quiet', remote, work);
    await writeFile(join(work, 'README.md'), '# app, changed\n');
    await git(work, 'commit', '--quiet', '-am', 'Change');
    await git(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/feature');
    const sha = await git(work, 'rev-parse', 'HEAD');

    const bare = join(base, 'repos', 'team', 'app.git');
    expect(await resolveRef(bare, 'refs/heads/feature')).toBe(sha);
    expect(server.pushes).toEqual([
      {
        repository: 'team/app',
        ref: 'refs/heads/feature',
        before: '0'.repeat(40),
        after: sha,
        accepted: true,
      },
    ]);
  });

  it("refuses a push to a protected branch with GitHub's message", async () => {
    const work = join(base, 'work');
    await git(base, 'clone', '--quiet', remote, work);
    const before = await git(work, 'rev-parse', 'HEAD');
    await writeFile(join(work, 'README.md'), '# app, changed\n');
    await git(work, 'commit', '--quiet', '-am', 'Change');

    await expect(
      git(work, 'push', 'origin', 'HEAD:main'),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'remote: error: GH006: Protected branch update failed for refs/heads/main.',
      ),
    });
    const bare = join(base, 'repos', 'team', 'app.git');
    expect(await resolveRef(bare, 'refs/heads/main')).toBe(before);
    expect(server.pushes).toEqual([
      expect.objectContaining({ ref: 'refs/heads/main', accepted: false }),
    ]);
  });

  it('refuses requests without the credentials', async () => {
    const error = await git(
      base,
      'ls-remote',
      `${server.url}/team/app.git`,
    ).catch((e: Error) => e);
    expect(String(error)).toMatch(/Authentication failed|could not read/);
    expect(server.authorizations).toContain('');
  });
});
