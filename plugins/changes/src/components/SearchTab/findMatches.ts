/** Where a search matched in a line: `[start, end)` character ranges. */
export type MatchRange = [number, number];

/**
 * The ranges of a line that a search matched, to highlight them. The server
 * matches with `git grep -E` (POSIX); JavaScript's regular expressions read
 * the common patterns the same way, and a pattern they cannot read gets no
 * highlight rather than a wrong one.
 */
export function findMatches(
  text: string,
  query: string,
  options: { regex?: boolean; ignoreCase?: boolean },
): MatchRange[] {
  if (!query) return [];
  const ranges: MatchRange[] = [];
  if (options.regex) {
    let re: RegExp;
    try {
      re = new RegExp(query, options.ignoreCase ? 'gi' : 'g');
    } catch {
      return [];
    }
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      ranges.push([m.index, m.index + m[0].length]);
    }
    return ranges;
  }
  const haystack = options.ignoreCase ? text.toLocaleLowerCase('en-US') : text;
  const needle = options.ignoreCase ? query.toLocaleLowerCase('en-US') : query;
  for (let i = haystack.indexOf(needle); i !== -1; ) {
    ranges.push([i, i + needle.length]);
    i = haystack.indexOf(needle, i + needle.length);
  }
  return ranges;
}
