import { InputError, NotAllowedError } from '@backstage/errors';
import {
  RunbookExecutor,
  RunbookExecutorContext,
} from '@fleetdeck/plugin-runbooks-node';
import { z } from 'zod';

/** Input of an `http` step. */
export const httpInputSchema = z.object({
  url: z.string().url(),
  method: z
    .enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])
    .default('GET'),
  headers: z.record(z.string(), z.string()).optional(),
  /** A string is sent as is; anything else as JSON. */
  body: z.unknown().optional(),
  expectedStatus: z
    .union([z.number().int(), z.array(z.number().int()).min(1)])
    .optional(),
  timeoutMs: z.number().int().min(100).max(300_000).optional(),
});

const MAX_REDIRECTS = 5;
const MAX_BODY = 64 * 1024;

/** Whether a host is on the allow-list (`name`, or `*.suffix` for subdomains). */
export function isHostAllowed(host: string, allowed: string[]): boolean {
  const h = host.toLocaleLowerCase('en-US').replace(/^\[|\]$/g, '');
  return allowed.some(entry => {
    const e = entry.toLocaleLowerCase('en-US');
    return e.startsWith('*.')
      ? h.endsWith(e.slice(1)) && h.length > e.length - 1
      : h === e;
  });
}

/**
 * Makes an HTTP call to an allow-listed host (SSRF guard): redirects are
 * followed only within the same host, and the response status is checked.
 * Dry runs send GET and HEAD only and report what they would send otherwise.
 */
export class HttpExecutor implements RunbookExecutor {
  readonly id = 'http';
  readonly description =
    'Calls an HTTP endpoint on an allow-listed host and checks the status';

  constructor(private readonly options: { allowedHosts: string[] }) {}

  async execute(ctx: RunbookExecutorContext) {
    const parsed = httpInputSchema.safeParse(ctx.input);
    if (!parsed.success) {
      throw new InputError(
        `Invalid http step input: ${z.prettifyError(parsed.error)}`,
      );
    }
    const input = parsed.data;
    let url = new URL(input.url);
    if (!['http:', 'https:'].includes(url.protocol)) {
      throw new NotAllowedError(`Protocol ${url.protocol} is not allowed`);
    }
    if (!isHostAllowed(url.hostname, this.options.allowedHosts)) {
      throw new NotAllowedError(
        `Host ${url.hostname} is not in runbooks.http.allowedHosts`,
      );
    }
    const body =
      input.body === undefined || typeof input.body === 'string'
        ? (input.body as string | undefined)
        : JSON.stringify(input.body);
    const headers: Record<string, string> = {
      'Idempotency-Key': ctx.idempotencyKey,
      ...(body && typeof input.body !== 'string'
        ? { 'Content-Type': 'application/json' }
        : {}),
      ...input.headers,
    };
    if (ctx.dryRun && !['GET', 'HEAD'].includes(input.method)) {
      ctx.logger.info(
        `Dry run: would send ${input.method} ${url.href}${
          body ? ` with ${body.length} bytes` : ''
        }`,
      );
      return { output: { dryRun: true, method: input.method, url: url.href } };
    }
    const signal = AbortSignal.any([
      ctx.signal,
      AbortSignal.timeout(input.timeoutMs ?? 30_000),
    ]);
    let response: Response;
    for (let hop = 0; ; hop++) {
      ctx.logger.info(`${input.method} ${url.href}`);
      response = await fetch(url, {
        method: input.method,
        headers,
        body: ['GET', 'HEAD'].includes(input.method) ? undefined : body,
        redirect: 'manual',
        signal,
      });
      if (
        response.status < 300 ||
        response.status >= 400 ||
        !response.headers.get('location')
      )
        break;
      const next = new URL(response.headers.get('location')!, url);
      if (next.host !== url.host || next.protocol !== url.protocol) {
        throw new NotAllowedError(
          `Refused redirect from ${url.host} to ${next.host}`,
        );
      }
      if (hop >= MAX_REDIRECTS)
        throw new Error(`More than ${MAX_REDIRECTS} redirects`);
      url = next;
    }
    const text = (await response.text()).slice(0, MAX_BODY);
    const expected =
      input.expectedStatus === undefined
        ? undefined
        : [input.expectedStatus].flat();
    const ok = expected ? expected.includes(response.status) : response.ok;
    ctx.logger[ok ? 'info' : 'error'](
      `${response.status} ${response.statusText} (${text.length} bytes)`,
    );
    if (!ok) {
      throw new Error(
        `Got ${response.status}, expected ${
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
        status: response.status,
        url: url.href,
        ...(json !== undefined
          ? { json: json as any }
          : { body: text.slice(0, 4096) }),
      },
    };
  }
}
