import { ConfigReader } from '@backstage/config';
import { FakeVault } from '@fleetdeck/backend-test-utils';
import { VaultClient } from '@fleetdeck/fleetdeck-node';
import { RunbookExecutorContext } from '@fleetdeck/plugin-runbooks-node';
import { createPrivateKey, X509Certificate } from 'crypto';
import { VaultExecutor } from './VaultExecutor';

jest.setTimeout(30_000);

const CERTS = 'secret/data/fleetdeck/certs/';
const KAFKA_CERT = `${CERTS}kafka-1`;
const PKI = 'pki/issue/fleetdeck-kafka';

describe('VaultExecutor', () => {
  const vault = new FakeVault();
  let executor: VaultExecutor;
  let client: VaultClient;
  const lines: string[] = [];
  const redacted: string[] = [];

  const ctx = (input: Record<string, unknown>, dryRun = false) => {
    lines.length = 0;
    redacted.length = 0;
    return {
      input,
      dryRun,
      redact: (...values: string[]) => redacted.push(...values),
      idempotencyKey: 'run/target/step',
      signal: new AbortController().signal,
      logger: {
        info: (l: string) => lines.push(l),
        warn: (l: string) => lines.push(l),
        error: (l: string) => lines.push(l),
      },
    } as unknown as RunbookExecutorContext;
  };
  const renew = (extra: Record<string, unknown> = {}) => ({
    renewCertificate: {
      pkiRole: PKI,
      commonName: 'kafka-1.fleetdeck.test',
      altNames: ['kafka-1-b.fleetdeck.test'],
      ttl: '2160h',
      path: KAFKA_CERT,
      renewWithinDays: 14,
      ...extra,
    },
  });

  beforeAll(async () => {
    await vault.start();
    vault.addPkiRole(PKI);
    const token = vault.addToken({
      rules: [
        { path: CERTS, capabilities: ['read', 'create', 'update'] },
        { path: 'secret/data/payments/', capabilities: ['create', 'update'] },
        {
          path: 'secret/data/fleetdeck/kafka',
          capabilities: ['create', 'update'],
        },
        { path: PKI, capabilities: ['update'] },
      ],
    });
    client = new VaultClient({ baseUrl: vault.url, auth: { token } });
    executor = new VaultExecutor({
      vault: client,
      writablePaths: [CERTS, 'secret/data/fleetdeck/kafka'],
      pkiRoles: [PKI],
    });
  });
  afterAll(() => vault.stop());
  beforeEach(() => {
    vault.requests.length = 0;
  });

  it('writes where writablePaths allows, logging keys only', async () => {
    const result = await executor.execute(
      ctx({
        write: {
          path: 'secret/data/fleetdeck/kafka',
          data: { password: 'from-a-template-0123', user: 'admin' },
        },
      }),
    );
    expect(result!.output).toEqual({
      path: 'secret/data/fleetdeck/kafka',
      version: 1,
    });
    expect(vault.secret('secret/data/fleetdeck/kafka')?.data).toEqual({
      password: 'from-a-template-0123',
      user: 'admin',
    });
    expect(lines).toEqual([
      'Wrote keys password, user to secret/data/fleetdeck/kafka (version 1)',
    ]);
  });

  it('refuses paths outside writablePaths and PKI roles outside pkiRoles, asking Vault nothing', async () => {
    // the portal's policy would allow it: the executor's own list refuses
    await expect(
      executor.execute(
        ctx({ write: { path: 'secret/data/payments/db', data: { a: 'b' } } }),
      ),
    ).rejects.toThrow(
      `Path secret/data/payments/db is not in runbooks.vault.writablePaths (${CERTS}, secret/data/fleetdeck/kafka): steps may write only there`,
    );
    await expect(
      executor.execute(
        ctx({
          write: {
            path: 'secret/data/fleetdeck/kafka-admin',
            data: { a: 'b' },
          },
        }),
      ),
    ).rejects.toThrow(/is not in runbooks.vault.writablePaths/);
    await expect(
      executor.execute(
        ctx({ write: { path: `${CERTS}../../x`, data: { a: 'b' } } }),
      ),
    ).rejects.toThrow(/is not a Vault API path/);
    await expect(
      executor.execute(ctx(renew({ pkiRole: 'pki/issue/root' }))),
    ).rejects.toThrow(
      `PKI role pki/issue/root is not in runbooks.vault.pkiRoles (${PKI})`,
    );
    await expect(executor.execute(ctx({ delete: {} }))).rejects.toThrow(
      /Invalid vault step input/,
    );
    const none = VaultExecutor.fromConfig(
      new ConfigReader({ vault: { baseUrl: vault.url, auth: { token: 'x' } } }),
    );
    await expect(
      none.execute(ctx({ write: { path: KAFKA_CERT, data: { a: 'b' } } })),
    ).rejects.toThrow(
      'runbooks.vault.writablePaths is empty or not set, so steps may write to no Vault path',
    );
    expect(vault.requests).toHaveLength(0);
  });

  it('skips renewal while the certificate has more days left than renewWithinDays', async () => {
    const result = await executor.execute(ctx(renew({ daysLeft: '45' })));
    expect(result!.output).toEqual({ renewed: false, daysLeft: 45 });
    expect(lines).toEqual([
      'kafka-1.fleetdeck.test has 45 days left, more than 14: not renewed',
    ]);
    expect(vault.requests).toHaveLength(0);
  });

  it('says what it would renew in a dry run, and writes nothing', async () => {
    const result = await executor.execute(ctx(renew({ daysLeft: 3 }), true));
    expect(result!.output).toMatchObject({ dryRun: true, renewed: false });
    expect(lines[0]).toMatch(
      /^Dry run: would issue a certificate for kafka-1.fleetdeck.test from pki\/issue\/fleetdeck-kafka \(3 days left, at most 14\)/,
    );
    expect(vault.requests).toHaveLength(0);
    expect(vault.issued).toHaveLength(0);
  });

  it('renews an expiring certificate into KV, returning facts but never the key', async () => {
    // the certificate in place: issued for a day
    const old = await client.issueCertificate(PKI, {
      commonName: 'kafka-1.fleetdeck.test',
      ttl: '24h',
    });
    await client.write(KAFKA_CERT, { certificate: old.certificate });
    const oldNotAfter = new Date(new X509Certificate(old.certificate).validTo);

    const result = await executor.execute(ctx(renew({ daysLeft: 1 })));
    const stored = vault.secret(KAFKA_CERT)!;
    expect(stored.version).toBe(2);
    const cert = new X509Certificate(String(stored.data.certificate));
    const key = String(stored.data.private_key);
    expect(cert.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(cert.subjectAltName).toContain('DNS:kafka-1-b.fleetdeck.test');
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(
      oldNotAfter.getTime() + 80 * 86_400_000,
    );
    expect(stored.data.ca_chain).toBe(vault.caCertificate);
    expect(result!.output).toEqual({
      renewed: true,
      path: KAFKA_CERT,
      version: 2,
      serialNumber: stored.data.serial_number,
      notAfter: new Date(cert.validTo).toISOString(),
      fingerprint256: cert.fingerprint256,
      previousDaysLeft: 1,
    });
    const shown = JSON.stringify([result, lines]);
    const keyBody = key.split('\n').filter(l => !l.startsWith('-----'));
    for (const line of keyBody) expect(shown).not.toContain(line);
    expect(shown).not.toContain('PRIVATE KEY-----');
    // and the engine is told to redact it, should it ever show up
    expect(redacted).toEqual([key]);
    expect(lines).toEqual([
      expect.stringMatching(
        /^Renewed kafka-1.fleetdeck.test \(1 days left, at most 14\): serial [0-9a-f:]+, not after .*; wrote certificate, private key and CA chain to secret\/data\/fleetdeck\/certs\/kafka-1 \(version 2\)$/,
      ),
    ]);
  });

  it('renews when no days left are known, and reports a denied write clearly', async () => {
    const denied = new VaultExecutor({
      vault: client,
      writablePaths: ['secret/data/elsewhere/'],
      pkiRoles: [PKI],
    });
    await expect(
      denied.execute(
        ctx(renew({ path: 'secret/data/elsewhere/kafka-1', daysLeft: null })),
      ),
    ).rejects.toThrow(
      "Vault denied writing secret/data/elsewhere/kafka-1 (permission denied): grant the portal's Vault policy create and update on it",
    );
    expect(JSON.stringify(lines)).not.toContain('PRIVATE KEY');
  });
});
