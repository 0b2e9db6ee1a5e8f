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
});
