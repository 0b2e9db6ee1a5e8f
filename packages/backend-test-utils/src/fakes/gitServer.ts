import { createServer } from 'http';
import { AddressInfo } from 'net';
import { FakeGitPush, GitHttpBackend } from './gitBackend';
import { listenLocal } from './listen';

/** Options of {@link startGitServer}. @public */
export interface FakeGitServerOptions {
  /** Directory holding the bare repositories, e.g. `<root>/team/app.git`. */
  root: string;
  /** Basic-auth credentials every request must carry (none: open to all). */
  auth?: { username: string; token: string };
  /** Branches (e.g. `main`) a push may not update, as GitHub's branch protection. */
  protectedBranches?: string[];
}

/** A running {@link startGitServer}. @public */
export interface FakeGitServer {
  /** `http://127.0.0.1:<port>`; a repository is at `<url>/<path>.git`. */
  url: string;
  /** Every ref update pushed, refused ones included. */
  pushes: FakeGitPush[];
  /** The `Authorization` header of every request ('' when absent). */
  authorizations: string[];
  /** Branch names whose updates are refused; may be changed while running. */
  protectedBranches: Set<string>;
  stop(): Promise<void>;
}

/**
 * A real smart-HTTP git server for tests: `git http-backend` serving the
 * bare repositories under `root`, optionally demanding basic-auth
 * credentials, and refusing pushes to protected branches with GitHub's
 * `GH006: Protected branch update failed` message.
 * @public
 */
export async function startGitServer(
  options: FakeGitServerOptions,
): Promise<FakeGitServer> {
  const backend = await GitHttpBackend.create(
    options.root,
    options.protectedBranches,
  );
  const { auth } = options;
  const expected =
    auth &&
    `Basic ${Buffer.from(`${auth.username}:${auth.token}`).toString('base64')}`;
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end('unauthorized');
      return;
    }
    const pathInfo = new URL(req.url ?? '/', 'http://localhost').pathname;
    backend.serve(req, res, pathInfo, auth?.username ?? 'anonymous');
  });
  await listenLocal(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pushes: backend.pushes,
    authorizations,
    protectedBranches: backend.protectedBranches,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>(r => server.close(() => r()));
      await backend.dispose();
    },
  };
}
