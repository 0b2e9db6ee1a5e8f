/** Environments in promotion order when none are configured. */
export const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'production'];

/**
 * Orders environment names by the configured promotion order (e.g.
 * dev → staging → production); unknown names go last, alphabetically.
 */
export function sortEnvironments(names: string[], order: string[]): string[] {
  const rank = (n: string) => {
    const i = order.indexOf(n);
    return i === -1 ? order.length : i;
  };
  return [...new Set(names)].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
}

/**
 * Neighbouring pairs along the promotion order, as `{ head, base }` where
 * `base` is the later environment: for dev → staging → production,
 * `[{ head: 'dev', base: 'staging' }, { head: 'staging', base: 'production' }]`.
 */
export function neighbourPairs(
  ordered: string[],
): Array<{ head: string; base: string }> {
  const pairs = [];
  for (let i = 0; i + 1 < ordered.length; i++) {
    pairs.push({ head: ordered[i], base: ordered[i + 1] });
  }
  return pairs;
}
