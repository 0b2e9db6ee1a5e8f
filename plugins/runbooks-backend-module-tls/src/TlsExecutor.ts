import { Config } from '@backstage/config';
import { InputError, isError, NotAllowedError } from '@backstage/errors';
import {
  NetworkPolicy,
  NetworkPolicyOptions,
  PinnedHost,
  RunbookExecutor,
  RunbookExecutorContext,
  RunbookStepError,
} from '@fleetdeck/plugin-runbooks-node';
import { isIP } from 'net';
import { connect, PeerCertificate } from 'tls';
import { z } from 'zod';

/** The config key of the tls executor's allow-list. @public */
export const TLS_ALLOWED_HOSTS_SETTING = 'runbooks.tls.allowedHosts';

/** Input of a `tls` step. */
export const tlsInputSchema = z.object({
  /** `host:port` endpoints; defaults to the target's `spec.endpoints`. */
  endpoints: z.array(z.string().min(1)).min(1).optional(),
  /** Fail when a certificate expires within this many days. */
  minDaysLeft: z.number().int().min(0).max(3650).optional(),
  /** Also fail when the chain does not verify against the trusted CAs. */
  requireTrusted: z.boolean().optional(),
  /**
   * Report expiring and untrusted certificates without failing the step, so
   * that a following step can act on them (e.g. a vault `renewCertificate`
   * given `${{ steps.check.output.daysLeft }}`). Unreachable endpoints still
   * fail it.
   */
  reportOnly: z.boolean().optional(),
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

/** Options of the {@link TlsExecutor}. @public */
export interface TlsExecutorOptions
  extends Omit<NetworkPolicyOptions, 'setting'> {
  /** Fail under this many days left unless a step says otherwise (default 14). */
  minDaysLeft?: number;
  /** Extra PEM CA certificates to trust. */
  ca?: string[];
}

/**
 * Connects to each endpoint and reports its certificate; fails under the
 * threshold (a RunbookStepError, so the failed step keeps the certificates
 * as its output). Endpoints are checked by `runbooks.tls.allowedHosts` (see
 * NetworkPolicy) before any is connected to, and each connection goes to the
 * address that was checked.
 */
export class TlsExecutor implements RunbookExecutor {
  readonly id = 'tls';
  readonly description =
    'Checks the TLS certificate of each endpoint: subject, issuer and days to expiry';

  private readonly policy: NetworkPolicy;

  /**
   * Reads `runbooks.tls.allowedHosts` (absent or empty: no endpoint may be
   * checked), `runbooks.tls.minDaysLeft` and `runbooks.tls.ca`.
   */
  static fromConfig(config: Config): TlsExecutor {
    return new TlsExecutor({
      allowedHosts: config.getOptionalStringArray(TLS_ALLOWED_HOSTS_SETTING),
      minDaysLeft: config.getOptionalNumber('runbooks.tls.minDaysLeft'),
      ca: config.getOptionalStringArray('runbooks.tls.ca'),
    });
  }

  constructor(private readonly options: TlsExecutorOptions = {}) {
    this.policy = new NetworkPolicy({
      allowedHosts: options.allowedHosts,
      resolve: options.resolve,
      setting: TLS_ALLOWED_HOSTS_SETTING,
    });
  }

  private check(
    endpoint: { host: string; port: number },
    pinned: PinnedHost,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<EndpointCertificate> {
    const label = `${endpoint.host}:${endpoint.port}`;
    return new Promise(resolve => {
      const socket = connect({
        host: pinned.host,
        port: endpoint.port,
        lookup: pinned.lookup,
        servername: isIP(pinned.host) ? undefined : pinned.host,
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
    const timeoutMs = input.timeoutMs ?? 10_000;
    // every endpoint passes the policy before any is connected to
    const resolved = await Promise.all(
      endpoints.map(e =>
        this.policy.resolve(e.parsed!.host, { signal: ctx.signal }).then(
          pinned => ({ pinned }),
          (error: unknown) => ({ error }),
        ),
      ),
    );
    const refused = resolved.flatMap(r =>
      'error' in r && isError(r.error) && r.error.name === 'NotAllowedError'
        ? [r.error.message]
        : [],
    );
    if (refused.length) {
      throw new NotAllowedError(`Refused: ${refused.join('; ')}`);
    }
    const results = await Promise.all(
      endpoints.map(
        (e, i): EndpointCertificate | Promise<EndpointCertificate> => {
          const r = resolved[i];
          if ('error' in r) {
            const label = `${e.parsed!.host}:${e.parsed!.port}`;
            const error = isError(r.error) ? r.error.message : String(r.error);
            return { endpoint: label, error };
          }
          return this.check(e.parsed!, r.pinned, timeoutMs, ctx.signal);
        },
      ),
    );
    const problems = this.judge(ctx, results, minDays, input);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const left = results.flatMap(r =>
      r.daysLeft === undefined ? [] : [r.daysLeft],
    );
    // `minDaysLeft` is the threshold; `daysLeft` the fewest days any
    // certificate has left (absent when none was read)
    const output = {
      certificates: results as any,
      minDaysLeft: minDays,
      ...(left.length ? { daysLeft: Math.min(...left) } : {}),
    };
    // a failed check keeps its findings: the expiring certificates are the point
    if (problems.length) {
      throw new RunbookStepError(problems.join('; '), { output });
    }
    return { output };
  }

  /** Logs each endpoint's findings; returns those that fail the step. */
  private judge(
    ctx: RunbookExecutorContext,
    results: EndpointCertificate[],
    minDays: number,
    input: z.infer<typeof tlsInputSchema>,
  ): string[] {
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
        ctx.logger[input.reportOnly ? 'warn' : 'error'](
          `${line}: less than ${minDays} days left`,
        );
        if (!input.reportOnly) {
          problems.push(`${r.endpoint} expires in ${r.daysLeft} days`);
        }
      } else if (!r.trusted && input.requireTrusted) {
        ctx.logger[input.reportOnly ? 'warn' : 'error'](line);
        if (!input.reportOnly) {
          problems.push(`${r.endpoint} is not trusted (${r.trustError})`);
        }
      } else {
        ctx.logger.info(line);
      }
    }
    return problems;
  }
}
