import { execFile } from 'child_process';
import { randomBytes, randomUUID, X509Certificate } from 'crypto';
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

/** What Vault's `POST /v1/<mount>/issue/<role>` answers in `data`. */
export interface FakeIssuedCertificate {
  certificate: string;
  issuing_ca: string;
  ca_chain: string[];
  private_key: string;
  private_key_type: string;
  serial_number: string;
  expiration: number;
}

/** Vault's TTL forms: seconds, or a duration such as `720h`, `30m`, `90d`. */
function ttlSeconds(ttl: unknown): number {
  if (typeof ttl === 'number') return ttl;
  const match = /^(\d+)([smhd]?)$/.exec(String(ttl ?? ''));
  if (!match) return 30 * 86_400;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
  return Number(match[1]) * (unit[match[2]] ?? 1);
}

/** The fake Vault's PKI engine: a CA made with openssl, real certificates and keys. */
export class FakeVaultPki {
  private dir = '';
  private caPem = '';

  get caCertificate(): string {
    return this.caPem;
  }

  async start() {
    this.dir = await mkdtemp(join(tmpdir(), 'fake-vault-'));
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650',
      '-keyout', join(this.dir, 'ca.key'), '-out', join(this.dir, 'ca.pem'),
      '-subj', '/CN=Fleetdeck Fake Vault CA',
    ]); // prettier-ignore
    this.caPem = (await readFile(join(this.dir, 'ca.pem'), 'utf8')).trim();
  }

  async stop() {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** Issues a certificate as Vault does: `common_name`, `alt_names` (comma-separated), `ttl`. */
  async issue(body: Record<string, unknown>): Promise<FakeIssuedCertificate> {
    const commonName = String(body.common_name ?? '');
    if (!commonName) throw new Error('the common_name field is required');
    const altNames = String(body.alt_names ?? '')
      .split(',')
      .map(s => s.trim())
      .filter(Boolean);
    const days = Math.max(1, Math.ceil(ttlSeconds(body.ttl) / 86_400));
    const name = randomUUID();
    const file = (ext: string) => join(this.dir, `${name}.${ext}`);
    const sans = [commonName, ...altNames].map(n => `DNS:${n}`).join(',');
    await run('openssl', [
      'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('key'),
      '-out', file('csr'), '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=${sans}`,
    ]); // prettier-ignore
    await run('openssl', [
      'x509', '-req', '-in', file('csr'), '-CA', join(this.dir, 'ca.pem'),
      '-CAkey', join(this.dir, 'ca.key'), '-set_serial', `0x${randomBytes(16).toString('hex')}`,
      '-days', String(days), '-copy_extensions', 'copyall', '-out', file('pem'),
    ]); // prettier-ignore
    const certificate = (await readFile(file('pem'), 'utf8')).trim();
    const privateKey = (await readFile(file('key'), 'utf8')).trim();
    await Promise.all(
      ['key', 'csr', 'pem'].map(ext => rm(file(ext), { force: true })),
    );
    const x509 = new X509Certificate(certificate);
    return {
      certificate,
      issuing_ca: this.caPem,
      ca_chain: [this.caPem],
      private_key: privateKey,
      private_key_type: 'rsa',
      serial_number: x509.serialNumber.toLowerCase().match(/../g)!.join(':'),
      expiration: Math.floor(new Date(x509.validTo).getTime() / 1000),
    };
  }
}
