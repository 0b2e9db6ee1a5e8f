import { Config } from '@backstage/config';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { assertRedactable } from '@fleetdeck/plugin-runbooks-node';
import { parseVaultRef, VaultClient } from '@fleetdeck/fleetdeck-node';
import { ownerRef } from '@fleetdeck/plugin-fleet-common';

/** One configured secret and who may use it. */
interface ScopedSecret {
  /** The value, or the Vault reference (`path#key`) it is read from. */
  value: string;
  fromVault: boolean;
  /** Full, lower-case Runbook refs. */
  runbooks: string[];
  /** Full, lower-case group refs: runbooks they own may use the secret. */
  owners: string[];
}

// `secrets.name`, `secrets['name']` and `secrets["name"]` inside `${{ }}`
const reference =
  /\bsecrets\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\]]+)\2\s*\])/g;
// the code of `${{ ... }}` and `{% ... %}`, where templates can name secrets
const expression = /\$\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
const wholeObject = /\bsecrets\b(?!\s*(?:\.\s*[A-Za-z_$]|\[\s*['"]))/;

function refOf(value: string, defaultKind: string, namespace = 'default') {
  return ownerRef(
    value.includes(':') ? value : `${defaultKind}:${value}`,
    namespace,
  );
}

/** Where `vault:` secrets are read from. */
export type SecretSource = Pick<VaultClient, 'read'>;

/** The secrets of one run, read for its runbook. */
export interface ResolvedSecrets {
  secrets: Record<string, string>;
  /** The values read from Vault (to redact them from this run's output). */
  vaultValues: string[];
  /** Why the run cannot have its secrets: a Vault read failed. */
  problem?: string;
}

const VAULT_PREFIX = 'vault:';

/**
 * The secrets runbook steps may use as `${{ secrets.NAME }}`, each scoped to
 * the runbooks (`runbooks`) or the runbook owners (`owners`) that may use it:
 *
 * ```yaml
 * runbooks:
 *   secrets:
 *     kafkaAdminPassword:
 *       value: ${KAFKA_ADMIN_PASSWORD}
 *       runbooks: [runbook:default/kafka-rolling-patch]
 *       owners: [group:default/platform-kafka]
 * ```
 *
 * A value `vault:<path>#<key>` (e.g. `vault:secret/data/fleetdeck/kafka#password`)
 * is read from HashiCorp Vault (`vault` in app-config) when a run's
 * definition is loaded on a worker, for the secrets in the runbook's scope
 * only, and kept in memory only.
 *
 * A runbook that refers to a secret outside its scope is refused when the
 * catalog ingests it and when it is started, and a run's steps only ever see
 * the secrets in scope.
 */
export class SecretScopes {
  static fromConfig(
    config: Config,
    options: { vault?: SecretSource } = {},
  ): SecretScopes {
    const secrets = new Map<string, ScopedSecret>();
    const root = config.getOptionalConfig('runbooks.secrets');
    for (const name of root?.keys() ?? []) {
      const key = `runbooks.secrets.${name}`;
      const raw = root!.getOptional(name);
      if (raw === undefined || raw === null) continue;
      if (typeof raw === 'string') {
        throw new Error(
          `${key} must name who may use it: write it as { value, runbooks: [runbook refs], owners: [group refs] }`,
        );
      }
      const entry = root!.getConfig(name);
      const value = entry.getOptional('value');
      if (value !== undefined && value !== null && typeof value !== 'string') {
        throw new Error(`${key}.value must be a string`);
      }
      if (!value) {
        // unset (e.g. an empty environment variable): nobody can use it
        continue;
      }
      const fromVault = value.startsWith(VAULT_PREFIX);
      if (fromVault) {
        try {
          parseVaultRef(value.slice(VAULT_PREFIX.length));
        } catch (e) {
          throw new Error(`${key}.value: ${(e as Error).message}`);
        }
      } else {
        // shorter values cannot be redacted without mangling ordinary output
        assertRedactable(value, `${key}.value`);
      }
      const runbooks = (entry.getOptionalStringArray('runbooks') ?? []).map(r =>
        refOf(r, 'runbook'),
      );
      const owners = (entry.getOptionalStringArray('owners') ?? []).map(o =>
        refOf(o, 'group'),
      );
      if (runbooks.length === 0 && owners.length === 0) {
        throw new Error(
          `${key} is usable by no runbook: list the runbooks (runbooks) or the owner groups (owners) that may use it`,
        );
      }
      secrets.set(name, { value, fromVault, runbooks, owners });
    }
    return new SecretScopes(secrets, options.vault);
  }

  static none(): SecretScopes {
    return new SecretScopes(new Map());
  }

  constructor(
    private readonly secrets: Map<string, ScopedSecret>,
    private readonly vault?: SecretSource,
  ) {}

  /**
   * Every configured secret value, for redaction (whatever the scope); those
   * in Vault are redacted by the runs that read them.
   */
  values(): string[] {
    return [...this.secrets.values()]
      .filter(s => !s.fromVault)
      .map(s => s.value);
  }

  private allowed(name: string, runbook: Entity): boolean {
    const secret = this.secrets.get(name);
    if (!secret) return false;
    const self = stringifyEntityRef(runbook).toLocaleLowerCase('en-US');
    if (secret.runbooks.includes(self)) return true;
    const owner = runbook.spec?.owner;
    if (typeof owner !== 'string') return false;
    try {
      return secret.owners.includes(
        ownerRef(owner, runbook.metadata.namespace ?? 'default'),
      );
    } catch {
      return false;
    }
  }

  /**
   * The configured values a run of this runbook gets: only those in its
   * scope, and not those in Vault ({@link SecretScopes.resolve} reads them).
   */
  forRunbook(runbook: Entity): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, secret] of this.secrets) {
      if (!secret.fromVault && this.allowed(name, runbook)) {
        result[name] = secret.value;
      }
    }
    return result;
  }

  /**
   * The secrets a run of this runbook gets, those in its scope only, with
   * the ones in Vault read now. A read that fails becomes the problem (naming
   * the secret and the path) instead of an error: the run's targets fail
   * with it.
   */
  async resolve(runbook: Entity): Promise<ResolvedSecrets> {
    const secrets = this.forRunbook(runbook);
    const wanted = [...this.secrets].filter(
      ([name, secret]) => secret.fromVault && this.allowed(name, runbook),
    );
    const problems: string[] = [];
    const vaultValues: string[] = [];
    await Promise.all(
      wanted.map(async ([name, { value }]) => {
        const ref = value.slice(VAULT_PREFIX.length);
        const problem = await this.readFromVault(ref).then(
          read => {
            try {
              assertRedactable(read, `runbooks.secrets.${name} (${ref})`);
            } catch (e) {
              return (e as Error).message;
            }
            secrets[name] = read;
            vaultValues.push(read);
            return undefined;
          },
          (e: unknown) => (e instanceof Error ? e.message : String(e)),
        );
        if (problem) {
          problems.push(
            `Secret '${name}' could not be read from Vault (${ref}): ${problem}`,
          );
        }
      }),
    );
    return {
      secrets,
      vaultValues,
      problem: problems.length ? problems.sort().join('; ') : undefined,
    };
  }

  private async readFromVault(ref: string): Promise<string> {
    if (!this.vault) {
      throw new Error(
        'Vault is not configured: set vault.baseUrl and vault.auth in app-config',
      );
    }
    return this.vault.read(ref);
  }

  /**
   * Why this runbook may not be used as written: it refers to a secret that
   * is not configured or not in its scope. Undefined when it may.
   */
  problem(runbook: Entity): string | undefined {
    const names = new Set<string>();
    let whole = false;
    const walk = (v: unknown) => {
      if (typeof v === 'string') {
        if (!v.includes('secrets')) return;
        for (const [, a, b] of v.matchAll(expression)) {
          const code = a ?? b;
          for (const m of code.matchAll(reference)) names.add(m[1] ?? m[3]);
          if (wholeObject.test(code.replace(reference, ''))) whole = true;
        }
      } else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    const steps = runbook.spec?.steps;
    for (const step of Array.isArray(steps) ? steps : []) {
      if (step && typeof step === 'object' && !Array.isArray(step)) {
        walk(step.input);
      }
    }
    const ref = stringifyEntityRef(runbook);
    if (whole) {
      return `${ref} uses the secrets object as a whole; name each secret (secrets.NAME)`;
    }
    const refused = [...names].filter(n => !this.allowed(n, runbook));
    if (refused.length === 0) return undefined;
    const reasons = refused.map(n =>
      this.secrets.has(n)
        ? `'${n}' is not scoped to it (runbooks.secrets.${n}.runbooks / .owners)`
        : `'${n}' is not configured (runbooks.secrets.${n})`,
    );
    return `${ref} may not use secret ${reasons.join('; ')}`;
  }
}
