import { runProgram } from '@fleetdeck/fleetdeck-node';
import { randomUUID } from 'crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'fs/promises';
import { IncomingMessage, ServerResponse } from 'http';
import { tmpdir } from 'os';
import { join } from 'path';

/** One ref update a push asked for, and whether the server took it. @public */
export interface FakeGitPush {
  /** The repository's path under the server root, without `.git`. */
  repository: string;
  ref: string;
  before: string;
  after: string;
  accepted: boolean;
}

// The hooks log every update asked for and every update made, so that a
// refused push is recorded too; pre-receive refuses protected branches with
// GitHub's own words, which git prints to the pusher as `remote: error: ...`.
const PRE_RECEIVE = `#!/bin/sh
status=0
while read old new ref; do
  echo "try $old $new $ref" >> "$FAKE_GIT_PUSH_LOG"
  for branch in $FAKE_GIT_PROTECTED; do
    if [ "$ref" = "refs/heads/$branch" ]; then
      echo "error: GH006: Protected branch update failed for $ref." >&2
      echo "error: Changes must be made through a pull request." >&2
      status=1
    fi
  done
done
exit $status
`;

const POST_RECEIVE = `#!/bin/sh
while read old new ref; do
  echo "ok $old $new $ref" >> "$FAKE_GIT_PUSH_LOG"
done
`;

function parsePushLog(repository: string, log: string): FakeGitPush[] {
  const lines = log.split('\n').map(line => line.split(' '));
  const done = new Set(
    lines.filter(l => l[0] === 'ok').map(l => l.slice(1).join(' ')),
  );
  return lines
    .filter(l => l[0] === 'try')
    .map(([, before, after, ref]) => ({
      repository,
      ref,
      before,
      after,
      accepted: done.has(`${before} ${after} ${ref}`),
    }));
}

/**
 * `git http-backend` behind Node's http module, over the bare repositories
 * under `root`: what GitHub, GitLab and plain servers answer at
 * `<repo>.git/info/refs`, `git-upload-pack` and `git-receive-pack`.
 */
export class GitHttpBackend {
  /** Every push, in order. */
  readonly pushes: FakeGitPush[] = [];
  /** Branch names (e.g. `main`) whose updates are refused. */
  readonly protectedBranches: Set<string>;

  private constructor(
    readonly root: string,
    private readonly hooks: string,
    protectedBranches: string[],
  ) {
    this.protectedBranches = new Set(protectedBranches);
  }

  static async create(
    root: string,
    protectedBranches: string[] = [],
  ): Promise<GitHttpBackend> {
    const hooks = await mkdtemp(join(tmpdir(), 'fake-git-hooks-'));
    for (const [name, script] of [
      ['pre-receive', PRE_RECEIVE],
      ['post-receive', POST_RECEIVE],
    ]) {
      await writeFile(join(hooks, name), script);
      await chmod(join(hooks, name), 0o755);
    }
    return new GitHttpBackend(root, hooks, protectedBranches);
  }

  async dispose(): Promise<void> {
    await rm(this.hooks, { recursive: true, force: true });
  }

  /** Serves one git request; `pathInfo` is e.g. `/owner/repo.git/info/refs`. */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    pathInfo: string,
    remoteUser: string,
  ): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const log = join(this.hooks, `push-${randomUUID()}.log`);
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', async () => {
      const answer = await this.run(Buffer.concat(body), {
        FAKE_GIT_PUSH_LOG: log,
        PATH_INFO: pathInfo,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        // http-backend only allows pushes from an authenticated user.
        REMOTE_USER: remoteUser,
      }).catch(() => undefined);
      // The push is recorded before the pusher sees the answer.
      await this.recordPushes(pathInfo, log);
      if (!answer) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(answer.status, answer.headers).end(answer.content);
    });
  }

  /**
   * One `git http-backend` run over a whole request body, started by
   * runProgram's launcher: a Jest worker serving thousands of git requests
   * would otherwise pay a fork of itself for each.
   */
  private async run(input: Buffer, cgi: Record<string, string>) {
    const { stdout } = await runProgram('git', ['http-backend'], {
      input,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'core.hooksPath',
        GIT_CONFIG_VALUE_0: this.hooks,
        FAKE_GIT_PROTECTED: [...this.protectedBranches].join(' '),
        GIT_PROJECT_ROOT: this.root,
        GIT_HTTP_EXPORT_ALL: '1',
        ...cgi,
      },
    });
    const end = stdout.indexOf('\r\n\r\n');
    if (end < 0) throw new Error('git http-backend answered no CGI header');
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of stdout.subarray(0, end).toString().split('\r\n')) {
      const i = line.indexOf(':');
      const key = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (key.toLowerCase() === 'status') status = parseInt(value, 10);
      else headers[key] = value;
    }
    return { status, headers, content: stdout.subarray(end + 4) };
  }

  private async recordPushes(pathInfo: string, log: string) {
    const text = await readFile(log, 'utf8').catch(() => '');
    if (text) {
      const repository = pathInfo.replace(/^\/|\.git\/.*$/g, '');
      this.pushes.push(...parsePushLog(repository, text));
      await rm(log, { force: true });
    }
  }
}
