import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { checkVaultPath, VaultClient } from '@fleetdeck/fleetdeck-node';
import {
  RunbookExecutor,
  RunbookExecutorContext,
} from '@fleetdeck/plugin-runbooks-node';
import { z } from 'zod';
import { renewCertificate, renewInputSchema } from './renewCertificate';

/** The config key of the KV path prefixes steps may write. @public */
export const VAULT_WRITABLE_PATHS_SETTING = 'runbooks.vault.writablePaths';
/** The config key of the PKI issue paths steps may use. @public */
export const VAULT_PKI_ROLES_SETTING = 'runbooks.vault.pkiRoles';

/** Input of a `vault` step: one of `write` or `renewCertificate`. */
export const vaultInputSchema = z.union([
  z
    .object({
      write: z
        .object({
          /** KV v2 API path, e.g. `secret/data/fleetdeck/kafka/config`. */
          path: z.string().min(1),
          /** The secret's data; values may come from templates. */
          data: z.record(z.string(), z.unknown()),
        })
        .strict(),
    })
    .strict(),
  z.object({ renewCertificate: renewInputSchema }).strict(),
]);

/** What the executor may use Vault for. @public */
export interface VaultExecutorOptions {
  /** Undefined when `vault` is not configured: every step fails saying so. */
  vault?: Pick<VaultClient, 'write' | 'issueCertificate'>;
  writablePaths?: string[];
  pkiRoles?: string[];
}

/** The checks a step's paths pass before Vault is asked anything. */
export interface VaultGrants {
  writable(path: string): void;
  pkiRole(path: string): void;
}

/**
 * Writes KV secrets and renews certificates in HashiCorp Vault where
 * `runbooks.vault.writablePaths` and `runbooks.vault.pkiRoles` allow. Dry
 * runs check the paths and say what would be written; nothing is written.
 * Secret data and private keys are never logged or returned.
 */
export class VaultExecutor implements RunbookExecutor {
  readonly id = 'vault';
  readonly description =
    'Writes a secret to Vault, or renews a certificate from Vault PKI into Vault';

  /** Reads `vault`, `runbooks.vault.writablePaths` and `runbooks.vault.pkiRoles`. */
  static fromConfig(config: Config): VaultExecutor {
    return new VaultExecutor({
      vault: VaultClient.fromConfig(config),
      writablePaths: config.getOptionalStringArray(
        VAULT_WRITABLE_PATHS_SETTING,
      ),
      pkiRoles: config.getOptionalStringArray(VAULT_PKI_ROLES_SETTING),
    });
  }

  private readonly grants: VaultGrants;

  constructor(private readonly options: VaultExecutorOptions) {
    const writablePaths = options.writablePaths ?? [];
    const pkiRoles = options.pkiRoles ?? [];
    for (const entry of [...writablePaths, ...pkiRoles]) {
      checkVaultPath(entry.replace(/\/$/, ''));
    }
    this.grants = {
      writable(path) {
        checkPath(path);
        const allowed = writablePaths.some(prefix =>
          prefix.endsWith('/')
            ? path.startsWith(prefix)
            : path === prefix || path.startsWith(`${prefix}/`),
        );
        if (allowed) return;
        throw new InputError(
          writablePaths.length
            ? `Path ${path} is not in ${VAULT_WRITABLE_PATHS_SETTING} (${writablePaths.join(
                ', ',
              )}): steps may write only there`
            : `${VAULT_WRITABLE_PATHS_SETTING} is empty or not set, so steps may write to no Vault path (${path})`,
        );
      },
      pkiRole(path) {
        checkPath(path);
        if (pkiRoles.includes(path)) return;
        throw new InputError(
          `PKI role ${path} is not in ${VAULT_PKI_ROLES_SETTING}${
            pkiRoles.length ? ` (${pkiRoles.join(', ')})` : ', which is empty'
          }`,
        );
      },
    };
  }

  async execute(ctx: RunbookExecutorContext) {
    const parsed = vaultInputSchema.safeParse(ctx.input);
    if (!parsed.success) {
      throw new InputError(
        `Invalid vault step input (give write: { path, data } or renewCertificate: { pkiRole, commonName, path, ... }): ${z.prettifyError(
          parsed.error,
        )}`,
      );
    }
    const input = parsed.data;
    const vault = this.options.vault;
    if ('write' in input) {
      const { path, data } = input.write;
      this.grants.writable(path);
      const keys = Object.keys(data).sort().join(', ');
      if (ctx.dryRun) {
        ctx.logger.info(`Dry run: would write keys ${keys} to ${path}`);
        return { output: { dryRun: true, path, keys: Object.keys(data) } };
      }
      const { version } = await needed(vault).write(path, data);
      ctx.logger.info(`Wrote keys ${keys} to ${path} (version ${version})`);
      return { output: { path, version } };
    }
    return renewCertificate(ctx, input.renewCertificate, {
      grants: this.grants,
      vault: () => needed(vault),
    });
  }
}

function checkPath(path: string) {
  try {
    checkVaultPath(path);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

function needed<T>(vault: T | undefined): T {
  if (!vault) {
    throw new Error(
      'The vault executor needs Vault: set vault.baseUrl and vault.auth in app-config',
    );
  }
  return vault;
}
