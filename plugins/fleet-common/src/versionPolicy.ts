import { parseEntityRef } from '@backstage/catalog-model';
import { CLUSTER_ENGINES } from './schema';
import { compareVersions, isOnVersionLine } from './helpers';
import type { ClusterEngine } from './types';

/** The config key of the version policy. */
export const VERSION_POLICY_CONFIG_KEY = 'fleet.versionPolicy';

/** What an engine's versions must be, and the runbook that brings a cluster there. */
export interface EngineVersionPolicy {
  /** Lowest supported version: anything below is outdated, e.g. `3.7.0`. */
  minimum: string;
  /** Version lines out of vendor support, e.g. `3.5` (every `3.5.x`); all below `minimum`. */
  endOfLife: string[];
  /** The version the patch runbook installs (default: `minimum`). */
  target: string;
  /** Entity ref of the runbook that patches a cluster, with a `version` parameter. */
  runbook?: string;
}

/** The version policy per engine (`fleet.versionPolicy` in app-config). */
export type VersionPolicy = Partial<Record<ClusterEngine, EngineVersionPolicy>>;

/** Where a version stands against its engine's policy. */
export type VersionStatus = 'current' | 'outdated' | 'eol' | 'unknown';

const VERSION = /^\d+(\.\d+){0,3}$/;

/** Thrown for a policy that does not parse; the message names the setting. */
export class VersionPolicyError extends Error {
  constructor(readonly setting: string, message: string) {
    super(`Invalid ${setting}: ${message}`);
    this.name = 'VersionPolicyError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function readVersion(value: unknown, setting: string): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !VERSION.test(text)) {
    throw new VersionPolicyError(
      setting,
      `${JSON.stringify(value)} is not a version (digits and dots, e.g. 3.7.0)`,
    );
  }
  return text;
}

function enginePolicy(raw: unknown, at: string): EngineVersionPolicy {
  if (!isRecord(raw)) {
    throw new VersionPolicyError(at, 'must be an object with a minimum');
  }
  const known = ['minimum', 'endOfLife', 'target', 'runbook'];
  const extra = Object.keys(raw).find(k => !known.includes(k));
  if (extra) {
    throw new VersionPolicyError(
      `${at}.${extra}`,
      `unknown setting (known: ${known.join(', ')})`,
    );
  }
  const minimum = readVersion(raw.minimum, `${at}.minimum`);
  const eolRaw = raw.endOfLife ?? [];
  if (!Array.isArray(eolRaw)) {
    throw new VersionPolicyError(`${at}.endOfLife`, 'must be a list');
  }
  const endOfLife = eolRaw.map((v, i) => {
    const line = readVersion(v, `${at}.endOfLife[${i}]`);
    if (compareVersions(line, minimum) >= 0 || isOnVersionLine(minimum, line)) {
      throw new VersionPolicyError(
        `${at}.endOfLife[${i}]`,
        `${line} is not below the minimum ${minimum}`,
      );
    }
    return line;
  });
  const target =
    raw.target === undefined
      ? minimum
      : readVersion(raw.target, `${at}.target`);
  if (compareVersions(target, minimum) < 0) {
    throw new VersionPolicyError(
      `${at}.target`,
      `${target} is below the minimum ${minimum}`,
    );
  }
  let runbook: string | undefined;
  if (raw.runbook !== undefined) {
    try {
      const ref = parseEntityRef(String(raw.runbook), {
        defaultKind: 'runbook',
        defaultNamespace: 'default',
      });
      runbook = `${ref.kind.toLocaleLowerCase('en-US')}:${ref.namespace}/${
        ref.name
      }`;
    } catch (e) {
      throw new VersionPolicyError(`${at}.runbook`, (e as Error).message);
    }
  }
  return { minimum, endOfLife, target, runbook };
}

/**
 * Reads and checks `fleet.versionPolicy` (the plain object from config, or
 * undefined when not set). Throws {@link VersionPolicyError} naming the
 * setting for an unknown engine, a malformed version, an end-of-life line
 * not below the minimum, or a target below it.
 */
export function parseVersionPolicy(raw: unknown): VersionPolicy {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) {
    throw new VersionPolicyError(
      VERSION_POLICY_CONFIG_KEY,
      'must be an object keyed by engine',
    );
  }
  const policy: VersionPolicy = {};
  for (const [engine, value] of Object.entries(raw)) {
    const at = `${VERSION_POLICY_CONFIG_KEY}.${engine}`;
    if (!(CLUSTER_ENGINES as readonly string[]).includes(engine)) {
      throw new VersionPolicyError(
        at,
        `unknown engine "${engine}" (known: ${CLUSTER_ENGINES.join(', ')})`,
      );
    }
    policy[engine as ClusterEngine] = enginePolicy(value, at);
  }
  return policy;
}

/** Where `version` of a cluster running `engine` stands against the policy. */
export function versionStatus(
  policy: VersionPolicy,
  engine: string,
  version: string,
): VersionStatus {
  const rule = policy[engine as ClusterEngine];
  if (!rule) return 'unknown';
  if (rule.endOfLife.some(line => isOnVersionLine(version, line))) return 'eol';
  return compareVersions(version, rule.minimum) < 0 ? 'outdated' : 'current';
}

/** True for a version that needs patching: outdated or end-of-life. */
export function isBelowPolicy(status: VersionStatus): boolean {
  return status === 'outdated' || status === 'eol';
}
