import { IncomingMessage, request as httpRequest } from 'http';
import { Agent, request as httpsRequest } from 'https';
import { sleep } from './sleep';

/** How to reach one AWX / AAP controller. */
export interface AapClientOptions {
  /** e.g. `https://aap.example.com` */
  baseUrl: string;
  /** `/api/v2/` or `/api/controller/v2/` */
  apiPath: string;
  token: string;
  /** PEM of the CA of the controller's certificate. */
  ca?: string;
  /** Retries of a request answered 429 or 5xx, or not answered. */
  retries: number;
  /** First backoff delay; doubles with each retry. */
  retryDelayMs?: number;
}

/** An answer of the controller. */
export interface AapResponse {
  status: number;
  data: unknown;
}

/** A request the controller answered with an error status. */
export class AapHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly data: unknown,
  ) {
    super(message);
    this.name = 'AapHttpError';
  }
}

interface RequestOptions {
  body?: unknown;
  /** Aborts waits between retries, and the request itself unless `detached`. */
  signal: AbortSignal;
  /**
   * The request is not aborted by `signal` once sent, so that its answer (a
   * launched job's id) is never lost; and it is retried only when the
   * controller surely did nothing (429, 503, connection refused).
   */
  detached?: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_DELAY_MS = 30_000;
const HINTS: Record<number, string> = {
  401: '; check runbooks.aap.token',
  403: '; the token needs Execute on the job template and Read on its jobs',
};
const SAFE_TO_REPEAT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'];

/** The seconds or date of a `Retry-After` header, in ms. */
function retryAfterMs(header: string | string[] | undefined) {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds)
    ? seconds * 1000
    : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 60_000) : undefined;
}

/**
 * A small JSON client of the AWX API v2 with a bearer token: retries 429,
 * 5xx and connection errors with exponential backoff (honouring
 * `Retry-After`), and keeps the token out of every error message.
 */
export class AapClient {
  readonly baseUrl: string;
  readonly apiUrl: URL;
  private readonly agent?: Agent;

  constructor(private readonly options: AapClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const apiPath = `/${options.apiPath.replace(/^\/+|\/+$/g, '')}/`;
    this.apiUrl = new URL(`${this.baseUrl}${apiPath}`);
    if (options.ca) this.agent = new Agent({ ca: options.ca, keepAlive: true });
  }

  get(path: string, signal: AbortSignal) {
    return this.request('GET', path, { signal });
  }

  post(path: string, options: RequestOptions) {
    return this.request('POST', path, options);
  }

  /** `path` is relative to the API root, or absolute (a `next` link). */
  async request(method: string, path: string, options: RequestOptions) {
    const url = this.resolve(path);
    for (let retry = 0; ; retry++) {
      const last = retry >= this.options.retries;
      const response = await this.send(method, url, options).catch(e => {
        if (options.signal.aborted) throw options.signal.reason;
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).name;
        const repeatable =
          !options.detached || SAFE_TO_REPEAT_CODES.includes(code);
        if (!repeatable || last) throw this.unreachable(code, e);
        return undefined;
      });
      if (response) {
        const repeatable = options.detached
          ? [429, 503].includes(response.status)
          : response.status === 429 || response.status >= 500;
        if (!repeatable || last) return this.check(method, url, response);
      }
      const base = this.options.retryDelayMs ?? 500;
      const backoff = Math.min(base * 2 ** retry, MAX_DELAY_MS);
      const delay =
        retryAfterMs(response?.headers['retry-after']) ??
        backoff * (0.75 + Math.random() / 2);
      await sleep(delay, options.signal);
    }
  }

  /**
   * Relative paths are below the API root; absolute ones (AWX's `next`
   * links) below the base URL's origin and path, whatever host they name:
   * the token goes nowhere else.
   */
  private resolve(path: string) {
    if (!/^(\/|https?:)/.test(path)) return new URL(path, this.apiUrl);
    const target = new URL(path, this.apiUrl);
    const prefix = new URL(this.baseUrl).pathname.replace(/\/$/, '');
    const pathname = target.pathname.startsWith(`${prefix}/`)
      ? target.pathname
      : `${prefix}${target.pathname}`;
    return new URL(`${pathname}${target.search}`, this.apiUrl.origin);
  }

  private unreachable(code: string, cause: unknown) {
    return this.scrub(
      new Error(
        `AAP at ${this.baseUrl} is unreachable: ${code}; check runbooks.aap.baseUrl`,
        { cause: this.scrub(cause) },
      ),
    );
  }

  private check(
    method: string,
    url: URL,
    response: AapResponse & { text: string },
  ) {
    if (response.status < 400)
      return { status: response.status, data: response.data };
    const detail =
      (response.data as { detail?: unknown } | undefined)?.detail ??
      response.text.slice(0, 300);
    const where = `${method} ${url.pathname}`;
    const hint = HINTS[response.status] ?? '';
    const message = `AAP at ${this.baseUrl} answered ${where} with ${
      response.status
    }: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}${hint}`;
    throw this.scrub(new AapHttpError(message, response.status, response.data));
  }

  /** Takes the token out of an error's message and stack, wherever it came from. */
  private scrub<T>(error: T): T {
    const token = this.options.token;
    if (token && error instanceof Error) {
      error.message = error.message.split(token).join('***');
      if (error.stack) error.stack = error.stack.split(token).join('***');
    }
    return error;
  }

  private async send(method: string, url: URL, options: RequestOptions) {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const signal = options.detached
      ? timeout
      : AbortSignal.any([options.signal, timeout]);
    const body =
      options.body === undefined ? undefined : JSON.stringify(options.body);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(url, {
        method,
        signal,
        agent: url.protocol === 'https:' ? this.agent : undefined,
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${this.options.token}`,
          'User-Agent': 'Fleetdeck-Runbooks',
          ...(body
            ? {
                'Content-Type': 'application/json',
                'Content-Length': String(Buffer.byteLength(body)),
              }
            : {}),
        },
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.end(body);
    });
    let text = '';
    for await (const chunk of response) text += chunk;
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    return {
      status: response.statusCode ?? 0,
      headers: response.headers,
      data,
      text,
    };
  }
}
