import { readFile } from 'fs/promises';
import { VaultError, vaultErrorText } from './VaultError';
import { VaultBody, VaultHttp } from './VaultHttp';

/** How the portal logs in to Vault (`vault.auth`). @public */
export type VaultAuth =
  | { token: string }
  | { appRole: { roleId: string; secretId: string; mount?: string } }
  | { kubernetes: { role: string; jwtPath?: string; mount?: string } };

/** Where Kubernetes mounts a pod's service account token. */
export const DEFAULT_KUBERNETES_JWT_PATH =
  '/var/run/secrets/kubernetes.io/serviceaccount/token';

const EXPIRED = 'Vault token expired or revoked: renew vault.auth.token';

interface Lease {
  token: string;
  /** When to log in again (ms since epoch); undefined: never. */
  renewAt?: number;
}

/**
 * The portal's Vault token: `vault.auth.token` checked with lookup-self on
 * first use, or an AppRole / Kubernetes login made lazily and made again when
 * its lease nears its end (at 90 %, at most a minute early).
 */
export class VaultSession {
  private current?: Lease;
  private pending?: Promise<Lease>;

  constructor(
    private readonly http: VaultHttp,
    private readonly auth: VaultAuth,
  ) {}

  /** Whether a refused token can be replaced by logging in again. */
  get canLogIn(): boolean {
    return !('token' in this.auth);
  }

  /** A token that was valid when last checked; logs in when there is none. */
  async token(): Promise<string> {
    const lease = this.current;
    if (lease && (lease.renewAt === undefined || Date.now() < lease.renewAt)) {
      return lease.token;
    }
    this.pending ??= this.logIn()
      .then(next => (this.current = next))
      .finally(() => (this.pending = undefined));
    return (await this.pending).token;
  }

  /**
   * After Vault refused `token`: forgets it, so the next call logs in again
   * (or looks the configured token up again, which tells an expired token
   * from a denied path).
   */
  forget(token: string) {
    if (this.current?.token === token) this.current = undefined;
  }

  private async logIn(): Promise<Lease> {
    const auth = this.auth;
    if ('token' in auth) {
      const { status, body } = await this.http.send(
        'GET',
        'auth/token/lookup-self',
        { token: auth.token },
      );
      if (status === 403 || status === 401) {
        throw new VaultError('expired', EXPIRED);
      }
      const ttl = Number((body.data as { ttl?: unknown } | undefined)?.ttl);
      return { token: auth.token, renewAt: this.renewAt(ttl) };
    }
    if ('appRole' in auth) {
      const { roleId, secretId, mount = 'approle' } = auth.appRole;
      return this.login(
        `auth/${mount}/login`,
        { role_id: roleId, secret_id: secretId },
        'AppRole',
        'check vault.auth.appRole.roleId and secretId',
      );
    }
    const { role, mount = 'kubernetes' } = auth.kubernetes;
    const jwtPath = auth.kubernetes.jwtPath ?? DEFAULT_KUBERNETES_JWT_PATH;
    let jwt: string;
    try {
      jwt = (await readFile(jwtPath, 'utf8')).trim();
    } catch (e) {
      throw new VaultError(
        'config',
        `Cannot read the Kubernetes service account token at ${jwtPath} (${
          (e as NodeJS.ErrnoException).code ?? 'unreadable'
        }): set vault.auth.kubernetes.jwtPath`,
      );
    }
    return this.login(
      `auth/${mount}/login`,
      { role, jwt },
      'Kubernetes',
      `check vault.auth.kubernetes.role (${role}) and that Vault's Kubernetes auth role binds this service account`,
    );
  }

  private async login(
    path: string,
    body: Record<string, string>,
    method: string,
    fix: string,
  ): Promise<Lease> {
    const { status, body: answer } = await this.http.send('POST', path, {
      body,
    });
    const auth = (answer as VaultBody).auth;
    if (status >= 300 || !auth?.client_token) {
      const why = vaultErrorText(answer) || `status ${status}`;
      throw new VaultError(
        'login',
        `Vault ${method} login at ${path} was refused (${why}): ${fix}`,
      );
    }
    return {
      token: auth.client_token,
      renewAt: this.renewAt(Number(auth.lease_duration)),
    };
  }

  private renewAt(leaseSeconds: number): number | undefined {
    if (!Number.isFinite(leaseSeconds) || leaseSeconds <= 0) return undefined;
    const early = Math.min(60_000, leaseSeconds * 100);
    return Date.now() + leaseSeconds * 1000 - early;
  }
}
