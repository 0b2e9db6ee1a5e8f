import { JsonObject } from '@backstage/types';
import { ConfigReader } from '@backstage/config';
import { runbook } from '../engine/testUtils';
import { SecretScopes } from './SecretScopes';

const load = (secrets: JsonObject) =>
  SecretScopes.fromConfig(new ConfigReader({ runbooks: { secrets } }));

describe('SecretScopes', () => {
  const scopes = load({
    kafkaAdmin: {
      value: 'kafka-admin-password',
      owners: ['platform-kafka'],
    },
    backupKey: {
      value: 'backup-key-0123456789',
      runbooks: ['runbook:default/nightly-backup'],
    },
  });
  const uses = (name: string, spec: Record<string, unknown> = {}) =>
    runbook('kafka-patch', {
      steps: [
        {
          id: 'a',
          executor: 'http',
          input: { headers: { Authorization: `Bearer \${{ ${name} }}` } },
        },
      ],
      ...spec,
    });

  it("gives a run only the secrets in its runbook's scope", () => {
    expect(scopes.forRunbook(uses('secrets.kafkaAdmin'))).toEqual({
      kafkaAdmin: 'kafka-admin-password',
    });
    expect(
      scopes.forRunbook(runbook('nightly-backup', { owner: 'sre' })),
    ).toEqual({ backupKey: 'backup-key-0123456789' });
    // every value is redacted, whatever the scope
    expect(scopes.values()).toHaveLength(2);
  });

  it('names the secret and the setting when a runbook refers to one outside its scope', () => {
    expect(scopes.problem(uses('secrets.kafkaAdmin'))).toBeUndefined();
    expect(scopes.problem(uses("secrets['backupKey']"))).toBe(
      "runbook:default/kafka-patch may not use secret 'backupKey' is not scoped to it (runbooks.secrets.backupKey.runbooks / .owners)",
    );
    expect(scopes.problem(uses('secrets.nope'))).toMatch(
      /'nope' is not configured \(runbooks.secrets.nope\)/,
    );
    expect(scopes.problem(uses('secrets | dump'))).toMatch(
      /uses the secrets object as a whole/,
    );
    // plain text that mentions secrets is no reference
    expect(
      scopes.problem(
        runbook('kafka-patch', {
          steps: [
            { id: 'a', executor: 'x', input: { note: 'rotates secrets' } },
          ],
        }),
      ),
    ).toBeUndefined();
  });

  it('refuses at config load secrets without a scope, unscoped plain values and values too short to redact', () => {
    expect(() => load({ a: 'plain-value-123' })).toThrow(
      /runbooks.secrets.a must name who may use it/,
    );
    expect(() => load({ a: { value: 'long-enough-value' } })).toThrow(
      /runbooks.secrets.a is usable by no runbook/,
    );
    expect(() => load({ a: { value: 'abc', owners: ['sre'] } })).toThrow(
      "Secret 'runbooks.secrets.a.value' is 3 characters; secrets shorter than 8 cannot be redacted reliably",
    );
    expect(() => load({ a: { value: '       a', owners: ['sre'] } })).toThrow(
      /is 1 characters \(without surrounding whitespace\)/,
    );
    // an unset value (empty environment variable) is simply not available
    expect(load({ a: { value: '', owners: ['sre'] } }).values()).toEqual([]);
  });

  describe('with values in Vault', () => {
    const reads: string[] = [];
    const vault = {
      read: async (ref: string) => {
        reads.push(ref);
        if (ref.startsWith('secret/data/short')) return 'abc';
        if (ref.startsWith('secret/data/denied')) {
          throw new Error('Vault denied reading secret/data/denied');
        }
        return `value-of-${ref}`;
      },
    };
    const config = {
      kafka: { value: 'vault:secret/data/kafka#password', owners: ['sre'] },
      plain: { value: 'plain-value-0123', owners: ['sre'] },
      short: { value: 'vault:secret/data/short#pin', runbooks: ['short'] },
      denied: { value: 'vault:secret/data/denied#x', runbooks: ['denied'] },
      others: { value: 'vault:secret/data/others#x', owners: ['others'] },
    };
    const sre = (name = 'patch') =>
      runbook(name, { owner: 'group:default/sre' });
    beforeEach(() => {
      reads.length = 0;
    });

    it('reads only the secrets in scope, and redacts them per run', async () => {
      const vaulted = SecretScopes.fromConfig(
        new ConfigReader({ runbooks: { secrets: config } }),
        { vault },
      );
      expect(vaulted.values()).toEqual(['plain-value-0123']);
      expect(vaulted.forRunbook(sre())).toEqual({ plain: 'plain-value-0123' });
      await expect(vaulted.resolve(sre())).resolves.toEqual({
        secrets: {
          plain: 'plain-value-0123',
          kafka: 'value-of-secret/data/kafka#password',
        },
        vaultValues: ['value-of-secret/data/kafka#password'],
        problem: undefined,
      });
      expect(reads).toEqual(['secret/data/kafka#password']);
    });

    it('turns failed reads, short values and a missing vault config into a problem naming the secret and path', async () => {
      const vaulted = SecretScopes.fromConfig(
        new ConfigReader({ runbooks: { secrets: config } }),
        { vault },
      );
      expect((await vaulted.resolve(runbook('denied'))).problem).toBe(
        "Secret 'denied' could not be read from Vault (secret/data/denied#x): Vault denied reading secret/data/denied",
      );
      const short = await vaulted.resolve(runbook('short'));
      expect(short.problem).toBe(
        "Secret 'short' could not be read from Vault (secret/data/short#pin): Secret 'runbooks.secrets.short (secret/data/short#pin)' is 3 characters; secrets shorter than 8 cannot be redacted reliably",
      );
      expect(short.secrets).toEqual({});
      const unconfigured = load(config);
      expect((await unconfigured.resolve(sre())).problem).toMatch(
        /^Secret 'kafka' could not be read from Vault \(secret\/data\/kafka#password\): Vault is not configured: set vault.baseUrl and vault.auth/,
      );
    });

    it('refuses a malformed Vault reference at config load', () => {
      expect(() =>
        load({ a: { value: 'vault:secret/data/kafka', owners: ['sre'] } }),
      ).toThrow(
        "runbooks.secrets.a.value: Vault reference 'secret/data/kafka' must be <path>#<key>",
      );
      expect(() =>
        load({ a: { value: 'vault:../sys/raw#x', owners: ['sre'] } }),
      ).toThrow(/is not a Vault API path/);
    });
  });
});
