import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { Redactor } from '@fleetdeck/fleetdeck-node';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
} from 'crypto';

/**
 * Names of parameters whose values are secrets: `format: password`,
 * `ui:field: Secret` (the scaffolder's secret field) or `secret: true`.
 */
export function secretParameterNames(schema: unknown): string[] {
  const properties = (schema as { properties?: unknown } | undefined)
    ?.properties;
  if (!properties || typeof properties !== 'object') return [];
  return Object.entries(properties as Record<string, unknown>)
    .filter(([, value]) => {
      const p = value as Record<string, unknown> | null | undefined;
      return (
        p?.format === 'password' ||
        p?.['ui:field'] === 'Secret' ||
        p?.secret === true
      );
    })
    .map(([name]) => name);
}

/** The run's parameters with secret values masked, for API responses and events. */
export function maskParameters(
  schema: unknown,
  parameters: Record<string, unknown>,
): Record<string, unknown> {
  const secret = new Set(secretParameterNames(schema));
  return Object.fromEntries(
    Object.entries(parameters).map(([k, v]) => [k, secret.has(k) ? '***' : v]),
  );
}

/** A redactor for one run: configured secrets plus its secret parameters. */
export function runRedactor(
  base: Redactor,
  schema: unknown,
  parameters: Record<string, unknown>,
): Redactor {
  const values = secretParameterNames(schema)
    .map(name => parameters[name])
    .filter((v): v is string => typeof v === 'string');
  return base.with(values);
}

const ENVELOPE = '$encrypted';

/**
 * Keeps a run's secret parameters encrypted where runs are stored
 * (AES-256-GCM under `runbooks.encryptionKey`, the parameter's name as
 * associated data). Without a key, a run that has secret parameters is
 * refused rather than stored in the clear.
 */
export class ParameterVault {
  static fromConfig(config: Config): ParameterVault {
    // unset, or set from an empty environment variable: no key
    const key = config.getOptionalString('runbooks.encryptionKey') || undefined;
    if (key !== undefined && key.length < 24) {
      throw new Error(
        'runbooks.encryptionKey must be at least 24 characters (use a random value, e.g. `openssl rand -base64 32`)',
      );
    }
    return new ParameterVault(key);
  }

  private readonly key?: Buffer;

  constructor(secret?: string) {
    this.key = secret
      ? createHash('sha256').update(`fleetdeck-runbooks:${secret}`).digest()
      : undefined;
  }

  /** The parameters as stored: secret values replaced by their ciphertext. */
  seal(
    schema: unknown,
    parameters: Record<string, unknown>,
  ): Record<string, unknown> {
    const names = secretParameterNames(schema).filter(
      n => parameters[n] !== undefined,
    );
    if (names.length === 0) return parameters;
    if (!this.key) {
      throw new InputError(
        `This runbook takes secret parameters (${names.join(
          ', ',
        )}), which are stored encrypted: the portal needs runbooks.encryptionKey set to start it`,
      );
    }
    const sealed = { ...parameters };
    for (const name of names) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      cipher.setAAD(Buffer.from(name));
      const data = Buffer.concat([
        cipher.update(JSON.stringify(parameters[name]), 'utf8'),
        cipher.final(),
      ]);
      sealed[name] = {
        [ENVELOPE]: [
          'v1',
          iv.toString('base64url'),
          cipher.getAuthTag().toString('base64url'),
          data.toString('base64url'),
        ].join(':'),
      };
    }
    return sealed;
  }

  /** The parameters with secret values decrypted; throws when they cannot be. */
  open(parameters: Record<string, unknown>): Record<string, unknown> {
    const opened = { ...parameters };
    for (const [name, value] of Object.entries(parameters)) {
      const envelope = (value as Record<string, unknown> | null)?.[ENVELOPE];
      if (typeof envelope !== 'string') continue;
      const [version, iv, tag, data] = envelope.split(':');
      if (!this.key) {
        throw new Error(
          `Secret parameter '${name}' is encrypted, but runbooks.encryptionKey is not set`,
        );
      }
      try {
        if (version !== 'v1') throw new Error(`unknown format ${version}`);
        const decipher = createDecipheriv(
          'aes-256-gcm',
          this.key,
          Buffer.from(iv, 'base64url'),
        );
        decipher.setAAD(Buffer.from(name));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        opened[name] = JSON.parse(
          Buffer.concat([
            decipher.update(Buffer.from(data, 'base64url')),
            decipher.final(),
          ]).toString('utf8'),
        );
      } catch {
        throw new Error(
          `Secret parameter '${name}' cannot be decrypted: was runbooks.encryptionKey changed since the run started?`,
        );
      }
    }
    return opened;
  }
}
