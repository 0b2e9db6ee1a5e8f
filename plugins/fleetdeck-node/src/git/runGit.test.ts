import { existsSync } from 'fs';
import { mkdtemp, writeFile } from 'fs/promises';
import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { GitCommandError } from './GitCommandError';
import { gitProtocolsFor } from './protocols';
import { runGit } from './runGit';

const token = 'ghp_S3cretTokenValue1234';
const author = { name: 'Ada Lovelace', email: 'ada@example.com' };

async function repoWithCommit(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetdeck-node-git-'));
  await runGit(['init', '--quiet'], { cwd: dir });
  await writeFile(join(dir, 'README.md'), 'hello\n');
  await runGit(['add', 'README.md'], { cwd: dir });
  await runGit(['commit', '--quiet', '-m', 'first'], { cwd: dir, author });
  return dir;
}

/** An HTTP server that answers 404 to everything and records the headers git sent. */
async function recordingServer() {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(404).end();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, base, close: () => server.close() };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected git to fail');
    },
    (e: unknown) => e as GitCommandError,
  );

describe('runGit', () => {
  it('commits as the given author on branch main and returns stdout', async () => {
    const dir = await repoWithCommit();
    const { stdout } = await runGit(['log', '-1', '--format=%an <%ae> %s %D'], {
      cwd: dir,
    });
    expect(stdout.trim()).toBe(
      'Ada Lovelace <ada@example.com> first HEAD -> main',
    );
  });

  it('fails with a GitCommandError that says what went wrong', async () => {
    const e = await failure(runGit(['ls-remote', '/nonexistent/repo.git']));
    expect(e).toBeInstanceOf(GitCommandError);
    expect(e.failure).toBe('not-found');
    expect(e.exitCode).toBe(128);
    expect(e.message).toMatch(
      /^git ls-remote exited with 128: .*does not appear to be a git repository/s,
    );
  });

  it('refuses ext:: remotes, which would run a command', async () => {
    const marker = join(tmpdir(), `fleetdeck-pwned-${process.pid}`);
    const e = await failure(
      runGit(['ls-remote', `ext::sh -c touch% ${marker}`]),
    );
    expect(e.message).toMatch(/transport 'ext' not allowed/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses plain http unless the caller allows it for that remote', async () => {
    const server = await recordingServer();
    try {
      const url = `${server.base}/scm/app.git`;
      const refused = await failure(runGit(['ls-remote', url]));
      expect(refused.message).toMatch(/transport 'http' not allowed/);
      expect(server.seen).toHaveLength(0);

      const allowed = await failure(
        runGit(['ls-remote', url], { protocols: gitProtocolsFor(url) }),
      );
      expect(allowed.failure).toBe('not-found');
      expect(server.seen.length).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  it('sends the token as basic auth to its scope only, and never shows it', async () => {
    const server = await recordingServer();
    try {
      const url = `${server.base}/scm/app.git`;
      const protocols = gitProtocolsFor(url);
      await failure(
        runGit(['ls-remote', url], {
          protocols,
          auth: { scope: `${server.base}/scm`, token },
        }),
      );
      const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
      expect(server.seen.map(h => h.authorization)).toContain(`Basic ${basic}`);

      server.seen.length = 0;
      await failure(
        runGit(['ls-remote', url], {
          protocols,
          auth: { scope: `${server.base}/other`, token },
        }),
      );
      expect(server.seen.map(h => h.authorization)).toEqual(
        server.seen.map(() => undefined),
      );
    } finally {
      server.close();
    }
  });

  it('redacts the credentials from output and errors', async () => {
    const dir = await repoWithCommit();
    const auth = { scope: 'https://git.example.com', token };
    const { stdout } = await runGit(['config', '--list'], { cwd: dir, auth });
    expect(stdout).toContain(
      'http.https://git.example.com/.extraheader=Authorization: Basic ***',
    );
    const e = await failure(runGit(['rev-parse', token], { cwd: dir, auth }));
    expect(e.message).toContain("ambiguous argument '***'");
    expect(`${e.message}${e.output}`).not.toContain(token);
  });

  it('hands ssh a temporary key file, removed afterwards, and redacts the key', async () => {
    const dir = await repoWithCommit();
    const keyLine = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ';
    const auth = {
      scope: 'ssh://git@git.example.com',
      sshPrivateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${keyLine}\n-----END OPENSSH PRIVATE KEY-----`,
    };
    const { stdout } = await runGit(
      ['-c', 'alias.ssh-command=!printf %s "$GIT_SSH_COMMAND"', 'ssh-command'],
      { cwd: dir, auth },
    );
    const keyFile = /-i '([^']+)'/.exec(stdout)?.[1];
    expect(stdout).toMatch(/BatchMode=yes.*StrictHostKeyChecking=accept-new/);
    expect(keyFile).toMatch(/fleetdeck-ssh-/);
    expect(existsSync(keyFile!)).toBe(false);

    const e = await failure(runGit(['rev-parse', keyLine], { cwd: dir, auth }));
    expect(e.output).toContain("ambiguous argument '***'");
    expect(e.message).not.toContain(keyLine);
  });

  it('stops git when the signal aborts', async () => {
    const dir = await repoWithCommit();
    const controller = new AbortController();
    const started = Date.now();
    const running = runGit(['-c', 'alias.wait=!sleep 20', 'wait'], {
      cwd: dir,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await expect(running).rejects.toBeInstanceOf(GitCommandError);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
