import { spawn } from 'child_process';
import { createServer, Server } from 'http';

/**
 * A real smart-HTTP git server for tests: `git http-backend` behind Node's
 * http module, serving the bare repositories under `root` at
 * `http://127.0.0.1:<port>/scm/`, and demanding the given basic-auth
 * credentials (as a GitHub-like host does for a token).
 */
export async function startGitHttpServer(options: {
  root: string;
  username: string;
  token: string;
}): Promise<{ url: string; server: Server; authorizations: string[] }> {
  const expected = `Basic ${Buffer.from(
    `${options.username}:${options.token}`,
  ).toString('base64')}`;
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end('unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: options.root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname.replace(/^\/scm/, ''),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        REMOTE_USER: options.username,
      },
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let sentHead = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (sentHead) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      sentHead = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const i = line.indexOf(':');
        const key = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (key.toLowerCase() === 'status') status = parseInt(value, 10);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    child.stdout.on('end', () => res.end());
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/scm`, server, authorizations };
}
