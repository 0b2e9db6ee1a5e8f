import { InputError } from '@backstage/errors';
import {
  RunbookExecutor,
  RunbookExecutorContext,
} from '@fleetdeck/plugin-runbooks-node';
import { connect, PeerCertificate } from 'tls';
import { z } from 'zod';

/** Input of a `tls` step. */
export const tlsInputSchema = z.object({
  /** `host:port` endpoints; defaults to the target's `spec.endpoints`. */
  endpoints: z.array(z.string().min(1)).min(1).optional(),
  /** Fail when a certificate expires within this many days. */
  minDaysLeft: z.number().int().min(0).max(3650).optional(),
  /** Also fail when the chain does not verify against the trusted CAs. */
  requireTrusted: z.boolean().optional(),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
});

/** Certificate facts of one endpoint. */
export interface EndpointCertificate {
  endpoint: string;
  subject?: string;
  issuer?: string;
  validTo?: string;
  daysLeft?: number;
  trusted?: boolean;
  trustError?: string;
  error?: string;
}

function parseEndpoint(
  value: unknown,
): { host: string; port: number } | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.url === 'string') text = v.url;
    else if (typeof v.host === 'string') text = `${v.host}:${v.port ?? 443}`;
  }
  if (!text) return undefined;
  try {
    const url = new URL(text.includes('://') ? text : `tls://${text}`);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : NaN));
    if (!url.hostname || !Number.isInteger(port)) return undefined;
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}

const name = (entry: PeerCertificate['subject'] | undefined) => {
  if (!entry) return undefined;
  const cn = entry.CN ?? Object.values(entry).flat().join(', ');
  return Array.isArray(cn) ? cn.join(', ') : cn;
};

/** Connects to each endpoint and reports its certificate; fails under the threshold. */
export class TlsExecutor implements RunbookExecutor {
  readonly id = 'tls';
  readonly description =
    'Checks the TLS certificate of each endpoint: subject, issuer and days to expiry';

  constructor(
    private readonly options: { minDaysLeft?: number; ca?: string[] } = {},
  ) {}

  private check(
    endpoint: { host: string; port: number },
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<EndpointCertificate> {
    const label = `${endpoint.host}:${endpoint.port}`;
    return new Promise(resolve => {
      const socket = connect({
        host: endpoint.host,
        port: endpoint.port,
        servername: /^[\d.:]+$/.test(endpoint.host) ? undefined : endpoint.host,
        rejectUnauthorized: false,
        ca: this.options.ca,
        timeout: timeoutMs,
      });
      function onAbort() {
        done({ endpoint: label, error: 'aborted' });
      }
      function done(result: EndpointCertificate) {
        socket.destroy();
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      }
      signal.addEventListener('abort', onAbort);
      socket.once('secureConnect', () => {
        const cert = socket.getPeerCertificate();
        if (!cert || !cert.valid_to) {
          done({ endpoint: label, error: 'no certificate presented' });
          return;
        }
        const validTo = new Date(cert.valid_to);
        done({
          endpoint: label,
          subject: name(cert.subject),
          issuer: name(cert.issuer),
          validTo: validTo.toISOString(),
          daysLeft: Math.floor((validTo.getTime() - Date.now()) / 86_400_000),
          trusted: socket.authorized,
          trustError: socket.authorizationError
            ? String(socket.authorizationError)
            : undefined,
        });
      });
      socket.once('timeout', () =>
        done({ endpoint: label, error: `timed out after ${timeoutMs} ms` }),
      );
      socket.once('error', e => done({ endpoint: label, error: e.message }));
    });
  }

  async execute(ctx: RunbookExecutorContext) {
    const parsed = tlsInputSchema.safeParse(ctx.input);
    if (!parsed.success) {
      throw new InputError(
        `Invalid tls step input: ${z.prettifyError(parsed.error)}`,
      );
    }
    const input = parsed.data;
    const raw =
      input.endpoints ??
      ((ctx.target.spec as any)?.endpoints as unknown[]) ??
      [];
    const endpoints = (Array.isArray(raw) ? raw : [raw]).map(e => ({
      raw: e,
      parsed: parseEndpoint(e),
    }));
    if (endpoints.length === 0) throw new InputError('No endpoints to check');
    const bad = endpoints.filter(e => !e.parsed);
    if (bad.length) {
      throw new InputError(
        `Not host:port endpoints: ${bad
          .map(e => JSON.stringify(e.raw))
          .join(', ')}`,
      );
    }
    const minDays = input.minDaysLeft ?? this.options.minDaysLeft ?? 14;
    const results = await Promise.all(
      endpoints.map(e =>
        this.check(e.parsed!, input.timeoutMs ?? 10_000, ctx.signal),
      ),
    );
    const problems: string[] = [];
    for (const r of results) {
      if (r.error) {
        ctx.logger.error(`${r.endpoint}: ${r.error}`);
        problems.push(`${r.endpoint}: ${r.error}`);
        continue;
      }
      const line = `${r.endpoint}: subject ${r.subject}, issuer ${
        r.issuer
      }, expires ${r.validTo} (${r.daysLeft} days)${
        r.trusted ? '' : `, not trusted: ${r.trustError}`
      }`;
      if (r.daysLeft! < minDays) {
        ctx.logger.error(`${line}: less than ${minDays} days left`);
        problems.push(`${r.endpoint} expires in ${r.daysLeft} days`);
      } else if (!r.trusted && input.requireTrusted) {
        ctx.logger.error(line);
        problems.push(`${r.endpoint} is not trusted (${r.trustError})`);
      } else {
        ctx.logger.info(line);
      }
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (problems.length) throw new Error(problems.join('; '));
    return { output: { certificates: results as any, minDaysLeft: minDays } };
  }
}
