import { createHash } from 'crypto';
import { mkdtemp, rm } from 'fs/promises';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { FakeGitPush, GitHttpBackend } from './gitBackend';
import { commitFiles, createBareRepository } from './gitRepos';
import { listenLocal } from './listen';

/** One API request a fake forge answered. @public */
export interface FakeForgeRequest {
  method: string;
  /** Path and query, e.g. `/api/v3/repos/acme/app/pulls?state=all`. */
  path: string;
  /** The answer's status (304 for a conditional hit). */
  status: number;
  /** The parsed JSON or form body, if any. */
  body?: Record<string, unknown>;
}

/** A failure a fake forge answers instead of the next API request. @public */
export interface FakeForgeFailure {
  status: number;
  /** The host's message; by default its rate-limit message for 403 / 429. */
  message?: string;
  /** Sent as `Retry-After` (seconds): a secondary / Rack::Attack rate limit. */
  retryAfterSeconds?: number;
}

/** An API request, parsed. */
export interface ApiRequest {
  method: string;
  url: URL;
  /** Path segments after the API prefix, decoded. */
  segments: string[];
  body: Record<string, unknown>;
  header(name: string): string | undefined;
}

/** An API answer. */
export interface ApiAnswer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** Thrown by a route to answer with an error. */
export class ApiError extends Error {
  constructor(readonly answer: ApiAnswer) {
    super(String(answer.status));
  }
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise(resolve => {
    let text = '';
    req.on('data', chunk => (text += chunk));
    req.on('end', () => {
      if (!text) {
        resolve({});
      } else if (/urlencoded/.test(req.headers['content-type'] ?? '')) {
        resolve(Object.fromEntries(new URLSearchParams(text)));
      } else {
        try {
          const json: unknown = JSON.parse(text);
          resolve(typeof json === 'object' && json ? { ...json } : {});
        } catch {
          resolve({});
        }
      }
    });
  });
}

/** The password of a basic `Authorization` header. */
function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic (.+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString();
  return decoded.slice(decoded.indexOf(':') + 1);
}

/**
 * What the fake GitHub and GitLab share: one port serving real git over
 * smart HTTP at `/<path>.git` (basic auth, the token as password) and a
 * JSON API under a prefix, with conditional GETs (ETag / 304, free), a
 * request log and injected failures.
 */
export abstract class FakeForge {
  /** Every API request, in order. */
  readonly requests: FakeForgeRequest[] = [];
  protected readonly failures: FakeForgeFailure[] = [];
  private server?: Server;
  private git?: GitHttpBackend;
  private dir?: string;

  protected constructor(
    /** The token the API and git accept. */
    readonly token: string,
    private readonly apiPrefix: string,
    private readonly protectedBranches: string[],
  ) {}

  /** The base URL (`http://127.0.0.1:<port>`), once started. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('The fake forge is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The API's base URL, e.g. `http://127.0.0.1:<port>/api/v3`. */
  get apiBaseUrl(): string {
    return `${this.url}${this.apiPrefix}`;
  }

  /** Every ref update pushed over git, refused ones included. */
  get pushes(): FakeGitPush[] {
    return this.git?.pushes ?? [];
  }

  /** The next `count` API requests answer `failure` instead. */
  failNext(failure: FakeForgeFailure, count = 1): void {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'fake-forge-'));
    this.git = await GitHttpBackend.create(this.dir, this.protectedBranches);
    const server = createServer((req, res) => this.handle(req, res));
    await listenLocal(server);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>(r => server.close(() => r()));
    }
    await this.git?.dispose();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.server = undefined;
  }

  /** The bare repository of `path` (e.g. `acme/app`) on disk. */
  gitDir(path: string): string {
    if (!this.dir) throw new Error('The fake forge is not started');
    return join(this.dir, `${path}.git`);
  }

  /** Commits `files` on `branch` (created if missing); returns the commit. */
  commit(
    path: string,
    branch: string,
    files: Record<string, string>,
    message = 'Change',
  ): Promise<string> {
    return commitFiles(this.gitDir(path), branch, files, message);
  }

  protected createBareRepository(
    path: string,
    files: Record<string, string>,
    defaultBranch: string,
  ): Promise<void> {
    return createBareRepository(this.gitDir(path), files, defaultBranch);
  }

  /** The answer to an API request, before ETag handling. */
  protected abstract route(request: ApiRequest): Promise<ApiAnswer>;

  /** The answer to a request without the token, if it is one. */
  protected abstract unauthorized(request: ApiRequest): ApiAnswer | undefined;

  /** The answer once the rate limit is used up, if it is. */
  protected abstract exhausted(): ApiAnswer | undefined;

  /** The answer to an injected failure. */
  protected abstract failureAnswer(failure: FakeForgeFailure): ApiAnswer;

  /** Counts a request against the rate limit. */
  protected abstract consume(): void;

  /** Headers every API answer carries (rate limits). */
  protected abstract commonHeaders(): Record<string, string>;

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (/\.git(\/|$)/.test(url.pathname)) {
      if (basicPassword(req.headers.authorization) !== this.token) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
        res.end('HTTP Basic: Access denied\n');
        return;
      }
      this.git!.serve(req, res, url.pathname, 'fake-forge');
      return;
    }
    readBody(req).then(async body => {
      const record: FakeForgeRequest = {
        method: req.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        status: 0,
        ...(Object.keys(body).length ? { body } : {}),
      };
      this.requests.push(record);
      const answer = await this.answer(req, url, body);
      record.status = answer.status;
      const headers = { ...this.commonHeaders(), ...answer.headers };
      if (answer.text !== undefined) {
        res.writeHead(answer.status, {
          'content-type': 'text/plain',
          ...headers,
        });
        res.end(answer.text);
      } else if (answer.status === 304 || answer.json === undefined) {
        res.writeHead(answer.status, headers);
        res.end();
      } else {
        const type = 'application/json; charset=utf-8';
        res.writeHead(answer.status, { 'content-type': type, ...headers });
        res.end(JSON.stringify(answer.json));
      }
    });
  }

  private async answer(
    req: IncomingMessage,
    url: URL,
    body: Record<string, unknown>,
  ): Promise<ApiAnswer> {
    if (!url.pathname.startsWith(`${this.apiPrefix}/`)) {
      return { status: 404, json: { message: 'Not Found' } };
    }
    const request: ApiRequest = {
      method: req.method ?? 'GET',
      url,
      segments: url.pathname
        .slice(this.apiPrefix.length)
        .split('/')
        .filter(Boolean)
        .map(decodeURIComponent),
      body,
      header: name => {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
    };
    const unauthorized = this.unauthorized(request);
    if (unauthorized) return unauthorized;
    const failure = this.failures.shift();
    if (failure) return this.failureAnswer(failure);
    const read = request.method === 'GET';
    // A write must not happen when limited; a read may still be a free 304.
    const early = read ? undefined : this.exhausted();
    if (early) return early;
    let answer: ApiAnswer;
    try {
      answer = await this.route(request);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      answer = e.answer;
    }
    if (read && answer.status === 200) {
      const etag = `W/"${createHash('sha256')
        .update(JSON.stringify(answer.json))
        .digest('hex')}"`;
      // As on GitHub, an answer of 304 does not count against the limit.
      if (request.header('if-none-match') === etag) {
        return { status: 304, headers: { etag } };
      }
      answer = { ...answer, headers: { ...answer.headers, etag } };
    }
    const late = read ? this.exhausted() : undefined;
    if (late) return late;
    this.consume();
    return answer;
  }
}
