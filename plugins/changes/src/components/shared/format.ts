/** "1 repository", "3 repositories": a count with its noun. */
export function plural(count: number, one: string, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

/** "5 minutes ago", "3 days ago": how long ago an ISO time was. */
export function timeAgo(iso?: string, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  const units: [string, number][] = [
    ['year', 365 * 86400],
    ['month', 30 * 86400],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  const [unit, size] = units.find(([, s]) => seconds >= s) ?? units[4];
  const value = seconds / size;
  return `${plural(Math.floor(value), unit)} ago`;
}

/** Splits a comma- or newline-separated field into its trimmed, non-empty parts. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(Boolean);
}
