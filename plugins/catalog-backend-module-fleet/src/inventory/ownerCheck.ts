import type { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/** At most this many quick rechecks in a row before unknown owners are reported anyway. */
export const MAX_OWNER_RECHECKS = 12;

/** The org counts as ingested once this many checks in a row found the same Groups and Users. */
export const SETTLED_AFTER_UNCHANGED_CHECKS = 2;

/** What one owner check decided. */
export interface OwnerVerdict {
  /** Owner refs (as `group:default/x`) to report as "not a Group or User in the catalog". */
  report: Set<string>;
  /** Owners not in the catalog yet that are given time: recheck soon. */
  waiting: Set<string>;
  /** When to check again (ms), while any owner is unknown; undefined: at the next refresh. */
  recheckInMs?: number;
}

/**
 * Checks cluster owners against the catalog's Groups and Users without
 * mistaking an org that is still being ingested for a wrong owner.
 *
 * After a (re)start the org provider and the inventory provider ingest at the
 * same time, so a refresh can see only part of the org. An unknown owner is
 * reported only once the org has settled: the set of Groups and Users is the
 * same at three checks in a row. Until then the cluster goes in without the
 * problem and the provider checks again soon (`recheckMs`). Reported owners
 * are checked again too, less and less often (an org provider can pause
 * between batches), so a cluster whose team arrives late gets in soon after,
 * not a whole refresh period later.
 */
export class OwnerCheck {
  private previous?: Set<string>;
  private rechecks = 0;
  private unchangedChecks = 0;
  private reported = 0;
  /** The last quick rechecks ran out with the same Groups and Users since. */
  private waitedOut = false;

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly recheckMs: number,
  ) {}

  /** Decides which of `wanted` (owner refs) to report now and which to give time. */
  async check(wanted: Iterable<string>): Promise<OwnerVerdict> {
    const known = await this.knownOwners();
    const unknown = new Set([...wanted].filter(ref => !known.has(ref)));
    const same = this.previous !== undefined && sameSet(this.previous, known);
    this.unchangedChecks = same ? this.unchangedChecks + 1 : 0;
    if (!same) this.waitedOut = false;
    // An org with no Groups or Users never settles by itself; once the
    // rechecks ran out, it counts as settled until it changes, so the next
    // refresh reports the same owners instead of taking them back.
    const settled =
      (known.size > 0 &&
        this.unchangedChecks >= SETTLED_AFTER_UNCHANGED_CHECKS) ||
      this.waitedOut;
    this.previous = known;
    if (!unknown.size || this.rechecks >= MAX_OWNER_RECHECKS) {
      if (unknown.size) this.waitedOut = true;
      this.rechecks = 0;
      this.reported = 0;
      return { report: unknown, waiting: new Set() };
    }
    this.rechecks += 1;
    if (!settled) {
      return {
        report: new Set(),
        waiting: unknown,
        recheckInMs: this.recheckMs,
      };
    }
    const backoff = 2 ** Math.min(this.reported, 5);
    this.reported += 1;
    return {
      report: unknown,
      waiting: new Set(),
      recheckInMs: this.recheckMs * backoff,
    };
  }

  private async knownOwners(): Promise<Set<string>> {
    const refs = new Set<string>();
    const credentials = await this.auth.getOwnServiceCredentials();
    for await (const page of this.catalog.streamEntities(
      {
        filter: { kind: ['Group', 'User'] },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    )) {
      page.forEach(e => refs.add(stringifyEntityRef(e)));
    }
    return refs;
  }
}

function sameSet(a: Set<string>, b: Set<string>) {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
