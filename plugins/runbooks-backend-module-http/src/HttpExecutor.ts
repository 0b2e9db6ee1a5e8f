import { Config } from '@backstage/config';
import { InputError, isError, NotAllowedError } from '@backstage/errors';
import {
  NetworkPolicy,
  NetworkPolicyOptions,
  PinnedHost,
  RunbookExecutor,
  RunbookExecutorContext,
} from '@fleetdeck/plugin-runbooks-node';
import { z } from 'zod';
import { checkHeaders } from './checkHeaders';
import { REDIRECT_STATUSES, sendRequest } from './sendRequest';

/** The config key of the http executor's allow-list. @public */
export const HTTP_ALLOWED_HOSTS_SETTING = 'runbooks.http.allowedHosts';

/** Input of an `http` step. */
export const httpInputSchema = z.object({
  url: z.string().url(),
  method: z
    .enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])
    .default('GET'),
  headers: z.record(z.string(), z.string()).optional(),
  /**
   * Any JSON value, sent as JSON; a string is sent as a JSON string, so
   * parameters reach the endpoint as data, never spliced into the body.
   */
  body: z.unknown().optional(),
  expectedStatus: z
    .union([z.number().int(), z.array(z.number().int()).min(1)])
    .optional(),
  timeoutMs: z.number().int().min(100).max(300_000).optional(),
});

/** Redirects followed at most, each one checked like the first URL. */
export const MAX_REDIRECTS = 5;
const MAX_BODY = 64 * 1024;
const SAFE_METHODS = ['GET', 'HEAD'];

/** One request of a call: the first, or one after a redirect. */
interface Hop {
  url: URL;
  pinned: PinnedHost;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

const baseHeaders = (ctx: RunbookExecutorContext): Record<string, string> => ({
  'User-Agent': 'Fleetdeck-Runbooks',
  'Idempotency-Key': ctx.idempotencyKey,
});

function checkUrl(url: URL) {
  if (!['http:', 'https:'].includes(url.protocol)) {
    throw new NotAllowedError(`Protocol ${url.protocol} is not allowed`);
  }
  if (url.username || url.password) {
    throw new InputError(
      `URLs with credentials are not allowed (${url.host}); send them in a header`,
    );
  }
}

/**
 * Makes an HTTP call where `runbooks.http.allowedHosts` allows (see
 * NetworkPolicy): the host is resolved and checked, and the connection goes
 * to the checked address. Each redirect is checked the same way, at most
 * {@link MAX_REDIRECTS}; a step's own headers go to its own origin only.
 * Dry runs send GET and HEAD only and report what they would send otherwise.
 */
export class HttpExecutor implements RunbookExecutor {
  readonly id = 'http';
  readonly description =
    'Calls an HTTP endpoint on an allow-listed host and checks the status';

  private readonly policy: NetworkPolicy;

  /** Reads `runbooks.http.allowedHosts`; absent or empty allows no host. */
  static fromConfig(config: Config): HttpExecutor {
    return new HttpExecutor({
      allowedHosts: config.getOptionalStringArray(HTTP_ALLOWED_HOSTS_SETTING),
    });
  }

  constructor(options: Omit<NetworkPolicyOptions, 'setting'>) {
    this.policy = new NetworkPolicy({
      ...options,
      setting: HTTP_ALLOWED_HOSTS_SETTING,
    });
  }

  async execute(ctx: RunbookExecutorContext) {
    const parsed = httpInputSchema.safeParse(ctx.input);
    if (!parsed.success) {
      throw new InputError(
        `Invalid http step input: ${z.prettifyError(parsed.error)}`,
      );
    }
    const input = parsed.data;
    const url = new URL(input.url);
    checkUrl(url);
    checkHeaders(input.headers ?? {});
    const body =
      input.body === undefined ? undefined : JSON.stringify(input.body);
    const headers: Record<string, string> = {
      ...baseHeaders(ctx),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...input.headers,
    };
    const timeoutMs = input.timeoutMs ?? 30_000;
    const signal = AbortSignal.any([
      ctx.signal,
      AbortSignal.timeout(timeoutMs),
    ]);
    const pinned = await this.policy.resolve(url.hostname, { signal });
    if (ctx.dryRun && !SAFE_METHODS.includes(input.method)) {
      ctx.logger.info(
        `Dry run: would send ${input.method} ${url.href}${
          body ? ` with ${body.length} bytes` : ''
        }`,
      );
      return { output: { dryRun: true, method: input.method, url: url.href } };
    }
    let hop: Hop = {
      url,
      pinned,
      method: input.method,
      headers,
      body: SAFE_METHODS.includes(input.method) ? undefined : body,
    };
    for (let count = 0; ; count++) {
      ctx.logger.info(
        `${hop.method} ${hop.url.href} (${addressesOf(hop.pinned)})`,
      );
      const exchange = await this.send(ctx, hop, signal, timeoutMs);
      const location = exchange.headers.location;
      if (!REDIRECT_STATUSES.includes(exchange.status) || !location) {
        return this.result(ctx, input, hop.url, exchange);
      }
      if (count >= MAX_REDIRECTS) {
        throw new NotAllowedError(
          `Refused redirect from ${hop.url.host}: more than ${MAX_REDIRECTS} redirects`,
        );
      }
      hop = await this.follow(ctx, hop, exchange.status, location, signal);
    }
  }

  private async send(
    ctx: RunbookExecutorContext,
    hop: Hop,
    signal: AbortSignal,
    timeoutMs: number,
  ) {
    try {
      return await sendRequest(hop.url, { ...hop, signal, maxBytes: MAX_BODY });
    } catch (e) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (signal.aborted) {
        throw new Error(
          `No answer within ${timeoutMs} ms from ${hop.url.host}`,
        );
      }
      throw e;
    }
  }

  /** The next hop of a redirect, checked like the first URL. */
  private async follow(
    ctx: RunbookExecutorContext,
    from: Hop,
    status: number,
    location: string,
    signal: AbortSignal,
  ): Promise<Hop> {
    const next = new URL(location, from.url);
    const refuse = (why: string) =>
      new NotAllowedError(
        `Refused redirect from ${from.url.host} to ${
          next.host || next.href
        }: ${why}`,
      );
    try {
      checkUrl(next);
    } catch (e) {
      throw refuse((e as Error).message);
    }
    if (from.url.protocol === 'https:' && next.protocol === 'http:') {
      throw refuse('https must not turn into plain http');
    }
    const pinned = await this.policy
      .resolve(next.hostname, { signal })
      .catch(e => {
        throw isError(e) && e.name === 'NotAllowedError'
          ? refuse(e.message)
          : e;
      });
    let headers = from.headers;
    if (next.origin !== from.url.origin) {
      // a step's headers (often credentials) are meant for the origin it named
      headers = baseHeaders(ctx);
      ctx.logger.info(
        `Redirected to ${next.origin}: the step's headers are not sent there`,
      );
    }
    // as fetch does: 303, and 301/302 after a POST, continue as a GET
    if (
      (status === 303 && from.method !== 'HEAD') ||
      ([301, 302].includes(status) && from.method === 'POST')
    ) {
      return {
        url: next,
        pinned,
        method: 'GET',
        body: undefined,
        headers: Object.fromEntries(
          Object.entries(headers).filter(
            ([name]) => name.toLowerCase() !== 'content-type',
          ),
        ),
      };
    }
    return { ...from, url: next, pinned, headers };
  }

  private result(
    ctx: RunbookExecutorContext,
    input: z.infer<typeof httpInputSchema>,
    url: URL,
    exchange: Awaited<ReturnType<typeof sendRequest>>,
  ) {
    const { status, statusText, text, truncated } = exchange;
    const expected =
      input.expectedStatus === undefined
        ? undefined
        : [input.expectedStatus].flat();
    const ok = expected
      ? expected.includes(status)
      : status >= 200 && status < 300;
    ctx.logger[ok ? 'info' : 'error'](
      `${status} ${statusText} (${text.length} bytes${
        truncated ? `, cut at ${MAX_BODY}` : ''
      })`,
    );
    if (!ok) {
      throw new Error(
        `Got ${status}, expected ${
          expected ? expected.join(' or ') : '2xx'
        }: ${text.slice(0, 300)}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      output: {
        status,
        url: url.href,
        ...(truncated ? { truncated } : {}),
        ...(json !== undefined
          ? { json: json as any }
          : { body: text.slice(0, 4096) }),
      },
    };
  }
}

function addressesOf(pinned: PinnedHost) {
  return pinned.addresses.map(a => a.address).join(', ');
}
