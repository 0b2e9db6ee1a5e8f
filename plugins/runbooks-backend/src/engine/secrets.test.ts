import { ConfigReader } from '@backstage/config';
import { ParameterVault } from './secrets';

const schema = {
  type: 'object',
  properties: {
    version: { type: 'string' },
    password: { type: 'string', format: 'password' },
    token: { type: 'string', 'ui:field': 'Secret' },
  },
};

describe('ParameterVault', () => {
  const key = 'a-random-key-of-at-least-24-chars';

  it('stores secret parameters encrypted and gives them back', () => {
    const vault = new ParameterVault(key);
    const parameters = {
      version: '3.7.1',
      password: 'p4ssw0rd-from-the-form',
      token: 'tok-123',
    };
    const sealed = vault.seal(schema, parameters);
    const stored = JSON.stringify(sealed);
    expect(stored).not.toContain('p4ssw0rd');
    expect(stored).not.toContain('tok-123');
    expect(sealed.version).toBe('3.7.1');
    // a fresh nonce each time: equal secrets do not look equal when stored
    expect(JSON.stringify(vault.seal(schema, parameters))).not.toBe(stored);
    expect(new ParameterVault(key).open(JSON.parse(stored))).toEqual(
      parameters,
    );
  });

  it('refuses to store secret parameters without a key', () => {
    expect(() =>
      new ParameterVault().seal(schema, { version: '1', password: 'x' }),
    ).toThrow(
      'This runbook takes secret parameters (password), which are stored encrypted: the portal needs runbooks.encryptionKey set to start it',
    );
    // runs without secret parameters need no key
    expect(new ParameterVault().seal(schema, { version: '1' })).toEqual({
      version: '1',
    });
  });

  it('says which parameter cannot be decrypted, with another key or a swapped value', () => {
    const sealed = new ParameterVault(key).seal(schema, {
      password: 'p',
      token: 't',
    });
    expect(() =>
      new ParameterVault('another-key-of-at-least-24-chars').open(sealed),
    ).toThrow(
      "Secret parameter 'password' cannot be decrypted: was runbooks.encryptionKey changed since the run started?",
    );
    expect(() =>
      new ParameterVault(key).open({
        password: sealed.token,
        token: sealed.password,
      }),
    ).toThrow("Secret parameter 'password' cannot be decrypted");
    expect(() => new ParameterVault().open(sealed)).toThrow(
      "Secret parameter 'password' is encrypted, but runbooks.encryptionKey is not set",
    );
  });

  it('rejects a short key at startup', () => {
    expect(() =>
      ParameterVault.fromConfig(
        new ConfigReader({ runbooks: { encryptionKey: 'short' } }),
      ),
    ).toThrow('runbooks.encryptionKey must be at least 24 characters');
  });
});
