/** `1f0e3c9` from a full SHA. */
export const shortSha = (sha?: string) => (sha ? sha.slice(0, 7) : '');

/** "3 hours ago", "5 days ago". */
export function timeAgo(iso?: string, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const units: Array<[number, string]> = [
    [60 * 60 * 24 * 365, 'year'],
    [60 * 60 * 24 * 30, 'month'],
    [60 * 60 * 24, 'day'],
    [60 * 60, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(s / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

/** "1 commit", "3 commits". */
export const commits = (n: number) => `${n} commit${n === 1 ? '' : 's'}`;
