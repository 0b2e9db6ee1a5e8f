import { randomBytes, randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { listenLocal } from './listen';
import { FakeVaultPki } from './vaultPki';

/** A capability of a fake Vault policy rule. @public */
export type FakeVaultCapability = 'read' | 'create' | 'update';

/** One rule of a token's policy: a path prefix (after `/v1/`) and what it may do there. @public */
export interface FakeVaultRule {
  path: string;
  capabilities: FakeVaultCapability[];
}

/** What a fake token, AppRole or Kubernetes role grants. @public */
export interface FakeVaultGrant {
  rules: FakeVaultRule[];
  /** Seconds the token lives; 0 (the default) never expires. */
  ttlSeconds?: number;
}

/** A request the fake received (tokens and bodies as sent). @public */
export interface FakeVaultRequest {
  method: string;
  /** The API path after `/v1/`, e.g. `secret/data/fleetdeck/kafka`. */
  path: string;
  token?: string;
  namespace?: string;
  body: unknown;
  status: number;
}

interface Token extends FakeVaultGrant {
  id: string;
  accessor: string;
  issuedAt: number;
  revoked?: boolean;
}

interface KvVersion {
  data: Record<string, unknown>;
  created_time: string;
}

type Json = Record<string, unknown>;
type Login = FakeVaultGrant & { role?: string };

const DENIED = ['1 error occurred:\n\t* permission denied\n\n'];

/**
 * A HashiCorp Vault stand-in for tests: a real HTTP server on 127.0.0.1 that
 * speaks Vault's wire format for KV v2, token lookup-self, AppRole and
 * Kubernetes login and PKI issue (real certificates from a CA made at
 * start with openssl), and enforces per-token path rules. @public
 */
export class FakeVault {
  /** Every request, in order. */
  readonly requests: FakeVaultRequest[] = [];
  /** Called with each request as it is answered (its status set). */
  onAnswer?: (request: FakeVaultRequest) => void;
  /** Serial numbers and common names of the certificates issued. */
  readonly issued: { serialNumber: string; commonName: string }[] = [];
  /** Answers 503 to the next this many requests (retries in clients). */
  failNext = 0;
  private server?: Server;
  private readonly pki = new FakeVaultPki();
  private readonly tokens = new Map<string, Token>();
  private readonly appRoles = new Map<string, Login & { secretId: string }>();
  private readonly kubeRoles = new Map<string, Login & { jwt: string }>();
  private readonly pkiRoles = new Set<string>();
  private readonly kv = new Map<string, KvVersion[]>();

  /** `http://127.0.0.1:<port>` once started. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('FakeVault is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The PEM of the fake PKI's CA. */
  get caCertificate(): string {
    return this.pki.caCertificate;
  }

  /** Listens on 127.0.0.1 at `port` (default: any free port). */
  async start(options: { port?: number } = {}): Promise<this> {
    await this.pki.start();
    const server = createServer((req, res) => this.receive(req, res));
    try {
      await listenLocal(server, options.port);
    } catch (e) {
      await this.pki.stop();
      throw e;
    }
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise(r => server.close(r));
    await this.pki.stop();
  }

  /** Adds a token with these rules; returns its id. */
  addToken(grant: FakeVaultGrant & { id?: string }): string {
    const id = grant.id ?? `hvs.${randomBytes(12).toString('base64url')}`;
    this.tokens.set(id, {
      ...grant,
      id,
      accessor: randomUUID(),
      issuedAt: Date.now(),
    });
    return id;
  }

  /** Revokes a token (it is then denied, as an expired one). */
  revokeToken(id: string): void {
    const token = this.tokens.get(id);
    if (token) token.revoked = true;
  }

  /** Makes a token's TTL run out now. */
  expireToken(id: string): void {
    const token = this.tokens.get(id);
    if (token)
      Object.assign(token, { ttlSeconds: 1, issuedAt: Date.now() - 2000 });
  }

  /** The tokens handed out by logins (or added), newest last. */
  tokenIds(): string[] {
    return [...this.tokens.keys()];
  }

  addAppRole(
    role: { roleId: string; secretId: string } & FakeVaultGrant,
  ): void {
    this.appRoles.set(role.roleId, role);
  }

  addKubernetesRole(
    role: { role: string; jwt: string } & FakeVaultGrant,
  ): void {
    this.kubeRoles.set(role.role, role);
  }

  /** Allows `POST /v1/<path>`, e.g. `pki/issue/fleetdeck`. */
  addPkiRole(path: string): void {
    this.pkiRoles.add(path);
  }

  /** Writes a KV v2 secret as a new version, e.g. `secret/data/fleetdeck/kafka`. */
  putSecret(path: string, data: Record<string, unknown>): number {
    const versions = this.kv.get(path) ?? [];
    versions.push({ data, created_time: new Date().toISOString() });
    this.kv.set(path, versions);
    return versions.length;
  }

  /** The latest version of a KV v2 secret. */
  secret(
    path: string,
  ): { data: Record<string, unknown>; version: number } | undefined {
    const versions = this.kv.get(path);
    if (!versions?.length) return undefined;
    return { data: versions.at(-1)!.data, version: versions.length };
  }

  private receive(req: IncomingMessage, res: ServerResponse) {
    let text = '';
    req.on('data', c => (text += c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const path = (req.url ?? '/').replace(/^\/v1\//, '').split('?')[0];
      const header = (name: string) => {
        const v = req.headers[name];
        return typeof v === 'string' ? v : undefined;
      };
      const record: FakeVaultRequest = {
        method: req.method ?? 'GET',
        path,
        token: header('x-vault-token'),
        namespace: header('x-vault-namespace'),
        body,
        status: 0,
      };
      this.requests.push(record);
      const send = (status: number, json: unknown) => {
        record.status = status;
        this.onAnswer?.(record);
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(json));
      };
      this.route(record, body as Json | undefined).then(
        ([status, json]) => send(status, json),
        (e: Error) => send(500, { errors: [e.message] }),
      );
    });
  }

  private async route(
    r: FakeVaultRequest,
    body: Json | undefined,
  ): Promise<[number, unknown]> {
    if (this.failNext > 0) {
      this.failNext--;
      return [503, { errors: ['Vault is sealed'] }];
    }
    const write = r.method === 'POST' || r.method === 'PUT';
    if (write && r.path === 'auth/approle/login') {
      const role = this.appRoles.get(String(body?.role_id));
      if (!role || role.secretId !== body?.secret_id) {
        return [400, { errors: ['invalid role or secret ID'] }];
      }
      return this.login(role, { role_name: String(body?.role_id) });
    }
    if (write && r.path === 'auth/kubernetes/login') {
      const role = this.kubeRoles.get(String(body?.role));
      if (!role)
        return [400, { errors: [`invalid role name "${body?.role}"`] }];
      if (role.jwt !== body?.jwt)
        return [403, { errors: ['permission denied'] }];
      return this.login(role, { role: role.role ?? '' });
    }
    const token = r.token ? this.tokens.get(r.token) : undefined;
    if (!token || !this.alive(token))
      return [403, { errors: ['permission denied'] }];
    if (r.method === 'GET' && r.path === 'auth/token/lookup-self') {
      return [200, this.envelope(this.lookup(token))];
    }
    const kv = /^[^/]+\/data\/.+/.test(r.path);
    if (kv && r.method === 'GET') {
      if (!this.can(token, r.path, 'read')) return [403, { errors: DENIED }];
      return this.readKv(r.path);
    }
    if (kv && write) {
      const need = this.kv.has(r.path) ? 'update' : 'create';
      if (!this.can(token, r.path, need)) return [403, { errors: DENIED }];
      return this.writeKv(r.path, body);
    }
    if (write && /^[^/]+\/issue\/[^/]+$/.test(r.path)) {
      if (!this.can(token, r.path, 'update')) return [403, { errors: DENIED }];
      if (!this.pkiRoles.has(r.path)) {
        return [400, { errors: [`unknown role: ${r.path.split('/').pop()}`] }];
      }
      const issued = await this.pki.issue(body ?? {});
      this.issued.push({
        serialNumber: issued.serial_number,
        commonName: String(body?.common_name),
      });
      return [200, this.envelope(issued)];
    }
    return [404, { errors: [] }];
  }

  private alive(token: Token): boolean {
    if (token.revoked) return false;
    return (
      !token.ttlSeconds || Date.now() < token.issuedAt + token.ttlSeconds * 1000
    );
  }

  private can(token: Token, path: string, capability: FakeVaultCapability) {
    return token.rules.some(
      rule =>
        path.startsWith(rule.path) && rule.capabilities.includes(capability),
    );
  }

  private policies(token: Token) {
    return ['default', ...token.rules.map(rule => `fake:${rule.path}`)];
  }

  private login(
    grant: FakeVaultGrant,
    metadata: Record<string, string>,
  ): [number, unknown] {
    const token = this.tokens.get(this.addToken(grant))!;
    return [
      200,
      {
        ...this.envelope(null),
        auth: {
          client_token: token.id,
          accessor: token.accessor,
          policies: this.policies(token),
          token_policies: this.policies(token),
          metadata,
          lease_duration: token.ttlSeconds ?? 0,
          renewable: Boolean(token.ttlSeconds),
          entity_id: randomUUID(),
          token_type: 'service',
          orphan: true,
        },
      },
    ];
  }

  private lookup(token: Token) {
    const end = token.issuedAt + (token.ttlSeconds ?? 0) * 1000;
    const ttl = token.ttlSeconds
      ? Math.max(0, Math.round((end - Date.now()) / 1000))
      : 0;
    return {
      accessor: token.accessor,
      creation_time: Math.floor(token.issuedAt / 1000),
      creation_ttl: token.ttlSeconds ?? 0,
      display_name: 'token',
      entity_id: '',
      expire_time: token.ttlSeconds ? new Date(end).toISOString() : null,
      explicit_max_ttl: 0,
      id: token.id,
      issue_time: new Date(token.issuedAt).toISOString(),
      meta: null,
      num_uses: 0,
      orphan: true,
      path: 'auth/token/create',
      policies: this.policies(token),
      renewable: Boolean(token.ttlSeconds),
      ttl,
      type: 'service',
    };
  }

  private envelope(data: unknown) {
    return {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data,
      wrap_info: null,
      warnings: null,
      auth: null,
    };
  }

  private readKv(path: string): [number, unknown] {
    const versions = this.kv.get(path);
    if (!versions?.length) return [404, { errors: [] }];
    const latest = versions.at(-1)!;
    return [
      200,
      this.envelope({
        data: latest.data,
        metadata: {
          created_time: latest.created_time,
          custom_metadata: null,
          deletion_time: '',
          destroyed: false,
          version: versions.length,
        },
      }),
    ];
  }

  private writeKv(path: string, body: Json | undefined): [number, unknown] {
    const data = body?.data;
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      return [400, { errors: ['no data provided'] }];
    }
    const cas = (body?.options as Json | undefined)?.cas;
    const current = this.kv.get(path)?.length ?? 0;
    if (cas !== undefined && cas !== current) {
      const error = 'check-and-set parameter did not match the current version';
      return [400, { errors: [error] }];
    }
    const version = this.putSecret(path, data as Json);
    const created = this.kv.get(path)!.at(-1)!.created_time;
    return [
      200,
      this.envelope({
        created_time: created,
        custom_metadata: null,
        deletion_time: '',
        destroyed: false,
        version,
      }),
    ];
  }
}
