import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { VaultError, vaultErrorText } from './VaultError';

/** Vault's answer: the status and its JSON body. */
export interface VaultResponse {
  status: number;
  body: VaultBody;
}

/** The parts of Vault's response envelope Fleetdeck reads. */
export interface VaultBody {
  data?: unknown;
  auth?: {
    client_token?: string;
    lease_duration?: number;
    renewable?: boolean;
    policies?: string[];
  } | null;
  lease_duration?: number;
  errors?: string[];
}

/** Where Vault is and how hard to try. */
export interface VaultHttpOptions {
  baseUrl: string;
  namespace?: string;
  /** PEM CA certificate(s) to trust for an https `baseUrl`. */
  ca?: string;
  /** Attempts after the first on connection errors and 5xx (default 3). */
  retries?: number;
  /** Wait before the first retry, doubled each time (default 250 ms). */
  retryDelayMs?: number;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Sends requests to Vault's HTTP API (`/v1/<path>`, `X-Vault-Token`,
 * `X-Vault-Namespace`), retrying connection errors and 5xx answers with
 * backoff. Any other status is returned for the caller to explain.
 */
export class VaultHttp {
  readonly baseUrl: string;

  constructor(private readonly options: VaultHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async send(
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<VaultResponse> {
    const retries = this.options.retries ?? 3;
    const delay = this.options.retryDelayMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      try {
        const response = await this.once(method, path, options);
        if (response.status < 500) return response;
        const text = vaultErrorText(response.body);
        failure = `answered ${response.status}${text ? ` (${text})` : ''}`;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        failure = `is unreachable (${code ?? (e as Error).message})`;
      }
      if (attempt >= retries) {
        throw new VaultError(
          'unreachable',
          `Vault at ${this.baseUrl} ${failure}${
            retries ? ` after ${retries + 1} attempts` : ''
          }: check vault.baseUrl and that Vault is up and unsealed`,
        );
      }
      await sleep(delay * 2 ** attempt);
    }
  }

  private once(
    method: string,
    path: string,
    options: { token?: string; body?: unknown },
  ): Promise<VaultResponse> {
    const url = new URL(`${this.baseUrl}/v1/${encodeURI(path)}`);
    const payload =
      options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.token) headers['X-Vault-Token'] = options.token;
    if (this.options.namespace) {
      headers['X-Vault-Namespace'] = this.options.namespace;
    }
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          headers,
          ca: this.options.ca,
          timeout: this.options.timeoutMs ?? 10_000,
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            let body: VaultBody = {};
            try {
              const text = Buffer.concat(chunks).toString('utf8');
              body = text ? (JSON.parse(text) as VaultBody) : {};
            } catch {
              body = {};
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
