import { RootConfigService } from '@backstage/backend-plugin-api';
import { VaultError, vaultErrorText } from './VaultError';
import { VaultBody, VaultHttp, VaultHttpOptions } from './VaultHttp';
import { VaultAuth, VaultSession } from './VaultSession';
import { vaultAuthFromConfig } from './vaultConfig';

/** Options of a {@link VaultClient}. @public */
export interface VaultClientOptions extends VaultHttpOptions {
  auth: VaultAuth;
  /** How long a read is kept when Vault gives it no lease (default 60; 0: not kept). */
  cacheTtlSeconds?: number;
}

/** A KV v2 secret as read: its data and version. @public */
export interface VaultKvSecret {
  data: Record<string, unknown>;
  version: number;
}

/** A certificate issued by Vault's PKI engine. @public */
export interface VaultCertificate {
  certificate: string;
  issuingCa: string;
  caChain: string[];
  privateKey: string;
  privateKeyType: string;
  serialNumber: string;
  /** Expiry, seconds since the epoch. */
  expiration: number;
}

type Action = 'read' | 'write' | 'issue';

const DENIED: Record<Action, [string, string]> = {
  read: ['reading', 'read'],
  write: ['writing', 'create and update'],
  issue: ['issuing a certificate from', 'update'],
};

/**
 * Splits a reference such as `secret/data/fleetdeck/kafka#password` into the
 * Vault API path (after `/v1/`) and the key in the secret's data. @public
 */
export function parseVaultRef(ref: string): { path: string; key: string } {
  const hash = ref.lastIndexOf('#');
  const path = hash > 0 ? ref.slice(0, hash) : '';
  const key = hash > 0 ? ref.slice(hash + 1) : '';
  if (!path || !key) {
    throw new VaultError(
      'config',
      `Vault reference '${ref}' must be <path>#<key>, e.g. secret/data/fleetdeck/kafka#password`,
    );
  }
  checkVaultPath(path);
  return { path, key };
}

/** Refuses paths that are not plain Vault API paths. @public */
export function checkVaultPath(path: string) {
  if (
    !/^[\w.@=+-]+(\/[\w.@=+-]+)*$/.test(path) ||
    path.split('/').some(part => part === '.' || part === '..')
  ) {
    throw new VaultError(
      'config',
      `'${path}' is not a Vault API path such as secret/data/fleetdeck/kafka`,
    );
  }
}

/**
 * Fleetdeck's client of HashiCorp Vault (`vault` in app-config): reads KV v2
 * secrets (cached for their lease), writes them and issues PKI certificates,
 * logging in lazily with a token, AppRole or Kubernetes auth. Errors say what
 * to fix and never quote a secret value or token.
 * @public
 */
export class VaultClient {
  private readonly http: VaultHttp;
  private readonly session: VaultSession;
  private readonly cache = new Map<
    string,
    { value: Promise<VaultKvSecret>; expiresAt: number }
  >();

  /** The client `vault` configures, or undefined when it is not set. */
  static fromConfig(config: RootConfigService): VaultClient | undefined {
    const vault = config.getOptionalConfig('vault');
    if (!vault) return undefined;
    return new VaultClient({
      baseUrl: vault.getString('baseUrl'),
      namespace: vault.getOptionalString('namespace'),
      ca: vault.getOptionalString('ca'),
      cacheTtlSeconds: vault.getOptionalNumber('cacheTtlSeconds'),
      auth: vaultAuthFromConfig(vault.getConfig('auth')),
    });
  }

  constructor(private readonly options: VaultClientOptions) {
    this.http = new VaultHttp(options);
    this.session = new VaultSession(this.http, options.auth);
  }

  /** Vault's address, for messages. */
  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** The value of one key of a KV v2 secret: `secret/data/fleetdeck/kafka#password`. */
  async read(ref: string): Promise<string> {
    const { path, key } = parseVaultRef(ref);
    const { data } = await this.readSecret(path);
    const value = data[key];
    if (value === undefined || value === null) {
      throw new VaultError(
        'not-found',
        `Vault secret ${path} has no key '${key}'`,
      );
    }
    if (typeof value === 'object') {
      throw new VaultError(
        'refused',
        `Vault secret ${path} key '${key}' holds an object, not a string`,
      );
    }
    return String(value);
  }

  /** A KV v2 secret (`<mount>/data/<path>`), kept for its lease. */
  readSecret(path: string): Promise<VaultKvSecret> {
    checkVaultPath(path);
    const hit = this.cache.get(path);
    if (hit && Date.now() < hit.expiresAt) return hit.value;
    const entry = { expiresAt: Infinity } as {
      value: Promise<VaultKvSecret>;
      expiresAt: number;
    };
    entry.value = this.fetchSecret(path).then(({ secret, ttlSeconds }) => {
      entry.expiresAt = Date.now() + ttlSeconds * 1000;
      return secret;
    });
    this.cache.set(path, entry);
    // a failed read is not kept: the next one asks Vault again
    entry.value.catch(() => {
      if (this.cache.get(path) === entry) this.cache.delete(path);
    });
    return entry.value;
  }

  private async fetchSecret(
    path: string,
  ): Promise<{ secret: VaultKvSecret; ttlSeconds: number }> {
    const body = await this.call('GET', path, undefined, 'read');
    const payload = body.data as
      | {
          data?: Record<string, unknown> | null;
          metadata?: { version?: number };
        }
      | undefined;
    if (!payload?.data || typeof payload.data !== 'object') {
      throw new VaultError(
        'not-found',
        `Vault secret ${path} has no data (deleted or destroyed)`,
      );
    }
    const lease = Number(body.lease_duration) || 0;
    return {
      secret: {
        data: payload.data,
        version: Number(payload.metadata?.version),
      },
      ttlSeconds: lease > 0 ? lease : this.options.cacheTtlSeconds ?? 60,
    };
  }

  /** Writes a KV v2 secret as a new version; `cas` guards against concurrent writes. */
  async write(
    path: string,
    data: Record<string, unknown>,
    options: { cas?: number } = {},
  ): Promise<{ version: number; createdTime: string }> {
    checkVaultPath(path);
    this.cache.delete(path);
    const body = await this.call(
      'POST',
      path,
      { data, ...(options.cas !== undefined ? { options } : {}) },
      'write',
    );
    const written = body.data as
      | { version?: number; created_time?: string }
      | undefined;
    return {
      version: Number(written?.version),
      createdTime: String(written?.created_time ?? ''),
    };
  }

  /** Issues a certificate from a PKI role path such as `pki/issue/fleetdeck`. */
  async issueCertificate(
    path: string,
    request: { commonName: string; altNames?: string[]; ttl?: string },
  ): Promise<VaultCertificate> {
    checkVaultPath(path);
    const body = await this.call(
      'POST',
      path,
      {
        common_name: request.commonName,
        ...(request.altNames?.length
          ? { alt_names: request.altNames.join(',') }
          : {}),
        ...(request.ttl ? { ttl: request.ttl } : {}),
      },
      'issue',
    );
    const d = (body.data ?? {}) as Record<string, unknown>;
    if (
      typeof d.certificate !== 'string' ||
      typeof d.private_key !== 'string'
    ) {
      throw new VaultError(
        'refused',
        `Vault answered ${path} without a certificate and key`,
      );
    }
    return {
      certificate: d.certificate,
      issuingCa: String(d.issuing_ca ?? ''),
      caChain: Array.isArray(d.ca_chain) ? d.ca_chain.map(String) : [],
      privateKey: d.private_key,
      privateKeyType: String(d.private_key_type ?? ''),
      serialNumber: String(d.serial_number ?? ''),
      expiration: Number(d.expiration),
    };
  }

  /**
   * One authenticated call. A refused token is looked up (a configured one)
   * or replaced (a login) once: an expired token then fails as such, and a
   * second refusal means the policy does not allow it.
   */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    payload: unknown,
    action: Action,
  ): Promise<VaultBody> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.session.token();
      const { status, body } = await this.http.send(method, path, {
        token,
        body: payload,
      });
      if (status < 300) return body;
      const why = vaultErrorText(body);
      if (status === 403 || status === 401) {
        this.session.forget(token);
        if (attempt === 0) continue;
        const [doing, grant] = DENIED[action];
        throw new VaultError(
          'denied',
          `Vault denied ${doing} ${path} (${
            why || 'permission denied'
          }): grant the portal's Vault policy ${grant} on it`,
        );
      }
      if (status === 404 && action === 'read') {
        throw new VaultError(
          'not-found',
          `Vault has no secret at ${path}${
            path.includes('/data/')
              ? ''
              : ' (a KV v2 secret is read as <mount>/data/<path>)'
          }`,
        );
      }
      throw new VaultError(
        'refused',
        `Vault refused ${DENIED[action][0]} ${path}: ${status}${
          why ? ` ${why}` : ''
        }`,
      );
    }
  }
}
