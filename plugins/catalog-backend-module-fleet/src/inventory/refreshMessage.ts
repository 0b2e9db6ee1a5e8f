/** The first `max` items joined, and how many more there are. */
export function listSome(
  items: Iterable<string>,
  max = 20,
  separator = ', ',
): string {
  const all = [...items];
  const more = all.length > max ? ` and ${all.length - max} more` : '';
  return `${all.slice(0, max).join(separator)}${more}`;
}

/** Problems named in a refresh message; each cluster's own are on its entity. */
const MAX_LISTED_PROBLEMS = 20;

/** The message of an applied refresh, as logged and shown on the status entity. */
export function refreshMessage(options: {
  clusters: number;
  source: string;
  removed: number;
  problems: string[];
  waiting: Set<string>;
  recheckMs: number;
}): string {
  const { clusters, source, removed, problems, waiting, recheckMs } = options;
  const removedText = removed ? `, ${removed} removed` : '';
  const problemText = problems.length
    ? `; ${problems.length} problems: ${listSome(
        problems,
        MAX_LISTED_PROBLEMS,
        '; ',
      )}`
    : '';
  const waitingText = waiting.size
    ? `; owners not in the catalog yet (org still being ingested?), checked again in ${Math.round(
        recheckMs / 1000,
      )} s: ${listSome(waiting, 10)}`
    : '';
  return `${clusters} clusters from ${source}${removedText}${problemText}${waitingText}`;
}
