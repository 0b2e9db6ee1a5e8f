/** The default share of a provider's clusters one refresh may remove. */
export const DEFAULT_MAX_SHRINK_RATIO = 0.2;

/** What the shrink guard decided about a refresh. */
export type ShrinkVerdict =
  | { allowed: true; removed: string[] }
  | { allowed: false; removed: string[]; reason: string };

/**
 * Refuses a refresh that would remove more than `maxRatio` of the clusters a
 * provider has in the catalog: an inventory that lost half its groups is far
 * more likely a broken file or a half-answered API than a decommissioning.
 */
export function checkShrink(
  previous: ReadonlySet<string>,
  next: ReadonlySet<string>,
  maxRatio: number,
): ShrinkVerdict {
  const removed = [...previous].filter(name => !next.has(name)).sort();
  if (previous.size === 0 || removed.length === 0)
    return { allowed: true, removed };
  const ratio = removed.length / previous.size;
  if (ratio <= maxRatio) return { allowed: true, removed };
  const sample =
    removed.slice(0, 5).join(', ') + (removed.length > 5 ? ', …' : '');
  return {
    allowed: false,
    removed,
    reason:
      `refused: the refresh would remove ${removed.length} of ${previous.size} clusters ` +
      `(${Math.round(ratio * 100)} %, limit ${Math.round(
        maxRatio * 100,
      )} %): ${sample}. ` +
      `The previous clusters stay in the catalog; fix the inventory or raise maxShrinkRatio.`,
  };
}
