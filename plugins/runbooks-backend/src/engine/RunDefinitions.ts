import { RunbookEntityV1alpha1 } from '@fleetdeck/plugin-runbooks-common';
import { Redactor } from '@fleetdeck/fleetdeck-node';
import { RunStore } from '../database/RunStore';
import { SecretScopes } from '../trust/SecretScopes';
import { TrustPolicy } from '../trust/TrustPolicy';
import { ParameterVault, runRedactor } from './secrets';

/** A run's definition as its targets execute it: parameters opened, secrets chosen. */
export interface LoadedDefinition {
  runbook: RunbookEntityV1alpha1;
  parameters: Record<string, unknown>;
  /**
   * Redacts the configured secrets, the run's secret parameters and the
   * secrets read from Vault for it.
   */
  redactor: Redactor;
  /** The secrets the runbook may use (those in Vault read, in memory only). */
  secrets: Record<string, string>;
  /** The digest of the runbook's files as the run pinned them. */
  digest?: string;
  /**
   * Why the run cannot be executed (its targets fail with it): its
   * parameters cannot be opened, it is not trusted, or its secrets cannot be
   * used or read from Vault.
   */
  problem?: string;
}

/** The runs a worker keeps definitions of (the oldest goes first). */
const MAX_RUNS = 200;
/** The pinned runbook folders a worker keeps (by digest). */
const MAX_FOLDERS = 20;

/** Keeps at most `max` entries: the oldest one goes first. */
function remember<T>(
  cache: Map<string, Promise<T>>,
  key: string,
  value: Promise<T>,
  max: number,
) {
  cache.set(key, value);
  if (cache.size > max) cache.delete(cache.keys().next().value!);
  // a failed read is not kept: the next target tries again
  value.catch(() => cache.delete(key));
}

/**
 * A worker's cache of run definitions (read once per run, parameters
 * decrypted, trust and secret scopes checked) and of pinned runbook folders
 * (read once per digest, shared by every run of the same files).
 */
export class RunDefinitions {
  private readonly definitions = new Map<string, Promise<LoadedDefinition>>();
  private readonly pinned = new Map<string, Promise<Map<string, Buffer>>>();

  constructor(
    private readonly deps: {
      store: Pick<RunStore, 'getRunDefinition' | 'getDefinitionFiles'>;
      /** Redacts every configured secret. */
      baseRedactor: Redactor;
      vault?: ParameterVault;
      trust?: TrustPolicy;
      secrets?: SecretScopes;
    },
  ) {}

  /** A run's definition (rejects when the run cannot be read). */
  get(runId: string): Promise<LoadedDefinition> {
    let found = this.definitions.get(runId);
    if (!found) {
      found = this.deps.store.getRunDefinition(runId).then(d => this.load(d));
      remember(this.definitions, runId, found, MAX_RUNS);
    }
    return found;
  }

  /**
   * Redacts what a run's output may hold: every configured secret and the
   * run's secret parameters (the configured secrets alone when the run
   * cannot be read).
   */
  async redactorFor(runId: string): Promise<Redactor> {
    try {
      return (await this.get(runId)).redactor.union(this.deps.baseRedactor);
    } catch {
      return this.deps.baseRedactor;
    }
  }

  /**
   * The redactor of a run already read (without reading it): the run's own
   * secret parameters too when it could be read, the configured ones alone
   * otherwise.
   */
  async knownRedactor(runId: string): Promise<Redactor> {
    return (
      (await this.definitions
        .get(runId)
        ?.then(d => d.redactor)
        .catch(() => undefined)) ?? this.deps.baseRedactor
    );
  }

  /** A pinned runbook folder by digest. */
  pinnedFiles(digest: string): Promise<Map<string, Buffer>> {
    let found = this.pinned.get(digest);
    if (!found) {
      found = this.deps.store.getDefinitionFiles(digest);
      remember(this.pinned, digest, found, MAX_FOLDERS);
    }
    return found;
  }

  private async load(d: {
    runbook: RunbookEntityV1alpha1;
    parameters: Record<string, unknown>;
    digest?: string;
  }): Promise<LoadedDefinition> {
    const { vault, trust, secrets, baseRedactor } = this.deps;
    let parameters = d.parameters;
    let problem: string | undefined;
    try {
      parameters = (vault ?? new ParameterVault()).open(d.parameters);
    } catch (e) {
      problem = (e as Error).message;
    }
    const runbookTrust = trust?.runbook(d.runbook);
    if (runbookTrust && !runbookTrust.trusted) problem = runbookTrust.reason;
    problem ??= secrets?.problem(d.runbook);
    // Vault is asked only for a run that may execute, and only for the
    // secrets in its runbook's scope
    const resolved =
      secrets && !problem
        ? await secrets.resolve(d.runbook)
        : { secrets: secrets?.forRunbook(d.runbook) ?? {}, vaultValues: [] };
    problem ??= resolved.problem;
    return {
      ...d,
      parameters,
      problem,
      secrets: resolved.secrets,
      redactor: runRedactor(
        baseRedactor,
        d.runbook?.spec?.parameters,
        parameters,
      ).with(resolved.vaultValues),
    };
  }
}
