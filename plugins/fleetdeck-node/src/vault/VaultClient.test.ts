import { ConfigReader } from '@backstage/config';
import { FakeVault } from '@fleetdeck/backend-test-utils';
import { createPrivateKey, X509Certificate } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { VaultClient } from './VaultClient';
import { VaultAuth } from './VaultSession';

jest.setTimeout(30_000);

const KAFKA = 'secret/data/fleetdeck/kafka';
const password = 'kafka-admin-password-0123';

describe('VaultClient', () => {
  const vault = new FakeVault();
  let dir: string;

  beforeAll(async () => {
    await vault.start();
    dir = mkdtempSync(join(tmpdir(), 'vault-client-'));
    vault.putSecret(KAFKA, { password, port: 9093 });
    vault.addPkiRole('pki/issue/fleetdeck');
  });
  afterAll(async () => {
    await vault.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    vault.requests.length = 0;
  });

  const client = (auth: VaultAuth, extra: { cacheTtlSeconds?: number } = {}) =>
    new VaultClient({ baseUrl: vault.url, auth, retryDelayMs: 5, ...extra });
  const reader = (ttlSeconds = 0) =>
    vault.addToken({
      ttlSeconds,
      rules: [{ path: 'secret/data/fleetdeck/', capabilities: ['read'] }],
    });

  it('reads a key with a token, checks the token once and caches the secret', async () => {
    const token = reader();
    const c = client({ token });
    await expect(c.read(`${KAFKA}#password`)).resolves.toBe(password);
    await expect(c.read(`${KAFKA}#port`)).resolves.toBe('9093');
    expect(vault.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET auth/token/lookup-self',
      `GET ${KAFKA}`,
    ]);
    expect(vault.requests[1].token).toBe(token);
    await expect(c.read(`${KAFKA}#nope`)).rejects.toThrow(
      `Vault secret ${KAFKA} has no key 'nope'`,
    );
  });

  it('reads again when cacheTtlSeconds is 0', async () => {
    const c = client({ token: reader() }, { cacheTtlSeconds: 0 });
    await c.read(`${KAFKA}#password`);
    await c.read(`${KAFKA}#password`);
    expect(vault.requests.filter(r => r.path === KAFKA)).toHaveLength(2);
  });

  it('names the path and the policy to fix when denied, and the token when expired', async () => {
    const token = reader();
    const c = client({ token });
    const denied = c.read('secret/data/payments/db#password');
    await expect(denied).rejects.toThrow(
      "Vault denied reading secret/data/payments/db (permission denied): grant the portal's Vault policy read on it",
    );
    await expect(denied).rejects.toMatchObject({ reason: 'denied' });
    await expect(c.read('secret/data/fleetdeck/none#x')).rejects.toThrow(
      'Vault has no secret at secret/data/fleetdeck/none',
    );
    vault.expireToken(token);
    await expect(client({ token }).read(`${KAFKA}#password`)).rejects.toThrow(
      'Vault token expired or revoked: renew vault.auth.token',
    );
    // a client that used the token before finds out at its next read
    await expect(
      c.read('secret/data/fleetdeck/other#password'),
    ).rejects.toMatchObject({
      reason: 'expired',
      message: 'Vault token expired or revoked: renew vault.auth.token',
    });
  });

  it('logs in with AppRole lazily, and again when the lease nears its end', async () => {
    vault.addAppRole({
      roleId: 'fleetdeck-portal',
      secretId: 'approle-secret-id-0123',
      ttlSeconds: 2,
      rules: [{ path: 'secret/data/fleetdeck/', capabilities: ['read'] }],
    });
    const c = client(
      {
        appRole: {
          roleId: 'fleetdeck-portal',
          secretId: 'approle-secret-id-0123',
        },
      },
      { cacheTtlSeconds: 0 },
    );
    expect(vault.requests).toHaveLength(0);
    await c.read(`${KAFKA}#password`);
    await c.read(`${KAFKA}#password`);
    const logins = () =>
      vault.requests.filter(r => r.path === 'auth/approle/login').length;
    expect(logins()).toBe(1);
    // 90 % of the 2 s lease
    await new Promise(r => setTimeout(r, 1900));
    await expect(c.read(`${KAFKA}#password`)).resolves.toBe(password);
    expect(logins()).toBe(2);
    const wrong = client({
      appRole: { roleId: 'fleetdeck-portal', secretId: 'not-the-secret-id' },
    });
    const refused = wrong.read(`${KAFKA}#password`);
    await expect(refused).rejects.toThrow(
      /^Vault AppRole login at auth\/approle\/login was refused \(invalid role or secret ID\): check vault.auth.appRole.roleId and secretId$/,
    );
    await expect(refused).rejects.not.toThrow(/not-the-secret-id/);
  });

  it('logs in with a Kubernetes service account token from jwtPath', async () => {
    const jwtPath = join(dir, 'token');
    writeFileSync(jwtPath, 'eyJhbGciOiJSUzI1NiJ9.pod.sig\n');
    vault.addKubernetesRole({
      role: 'fleetdeck',
      jwt: 'eyJhbGciOiJSUzI1NiJ9.pod.sig',
      rules: [{ path: 'secret/', capabilities: ['read'] }],
    });
    const c = client({ kubernetes: { role: 'fleetdeck', jwtPath } });
    await expect(c.read(`${KAFKA}#password`)).resolves.toBe(password);
    expect(vault.requests[0]).toMatchObject({
      path: 'auth/kubernetes/login',
      body: { role: 'fleetdeck', jwt: 'eyJhbGciOiJSUzI1NiJ9.pod.sig' },
    });
    await expect(
      client({
        kubernetes: { role: 'fleetdeck', jwtPath: join(dir, 'missing') },
      }).read(`${KAFKA}#password`),
    ).rejects.toThrow(
      /Cannot read the Kubernetes service account token at .*missing \(ENOENT\)/,
    );
  });

  it('writes new versions and issues real certificates where allowed', async () => {
    const token = vault.addToken({
      rules: [
        { path: 'secret/data/certs/', capabilities: ['create', 'update'] },
        { path: 'pki/issue/fleetdeck', capabilities: ['update'] },
      ],
    });
    const c = client({ token });
    await expect(
      c.write('secret/data/certs/a', { x: '1' }),
    ).resolves.toMatchObject({ version: 1 });
    await expect(
      c.write('secret/data/certs/a', { x: '2' }),
    ).resolves.toMatchObject({ version: 2 });
    expect(vault.secret('secret/data/certs/a')).toEqual({
      data: { x: '2' },
      version: 2,
    });
    await expect(c.write('secret/data/other', { x: '1' })).rejects.toThrow(
      "Vault denied writing secret/data/other (permission denied): grant the portal's Vault policy create and update on it",
    );
    const cert = await c.issueCertificate('pki/issue/fleetdeck', {
      commonName: 'kafka-1.fleetdeck.test',
      altNames: ['kafka-1-b.fleetdeck.test'],
      ttl: '720h',
    });
    const x509 = new X509Certificate(cert.certificate);
    expect(x509.subject).toContain('CN=kafka-1.fleetdeck.test');
    expect(x509.subjectAltName).toContain('DNS:kafka-1-b.fleetdeck.test');
    expect(x509.checkPrivateKey(createPrivateKey(cert.privateKey))).toBe(true);
    expect(cert.caChain).toEqual([vault.caCertificate]);
  });

  it('retries 5xx, and names the address when Vault is unreachable', async () => {
    const c = client({ token: reader() });
    vault.failNext = 2;
    await expect(c.read(`${KAFKA}#password`)).resolves.toBe(password);
    const gone = new VaultClient({
      baseUrl: 'http://127.0.0.1:1',
      auth: { token: 'hvs.never-shown-0123' },
      retries: 2,
      retryDelayMs: 5,
    });
    const failure = gone.read(`${KAFKA}#password`);
    await expect(failure).rejects.toThrow(
      /^Vault at http:\/\/127.0.0.1:1 is unreachable \(ECONNREFUSED\) after 3 attempts/,
    );
    await expect(failure).rejects.not.toThrow(/hvs\./);
  });

  it('is configured from app-config, and refuses an ambiguous vault.auth', () => {
    expect(VaultClient.fromConfig(new ConfigReader({}))).toBeUndefined();
    expect(
      VaultClient.fromConfig(
        new ConfigReader({
          vault: { baseUrl: vault.url, auth: { token: 't' } },
        }),
      ),
    ).toBeInstanceOf(VaultClient);
    expect(() =>
      VaultClient.fromConfig(
        new ConfigReader({
          vault: {
            baseUrl: vault.url,
            auth: { token: 't', appRole: { roleId: 'a', secretId: 'b' } },
          },
        }),
      ),
    ).toThrow(
      'vault.auth must set exactly one of token, appRole or kubernetes (it sets token and appRole)',
    );
  });
});
