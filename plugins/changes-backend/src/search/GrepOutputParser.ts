/** One matching line as git grep reports it. */
export interface GrepMatch {
  path: string;
  line: number;
  text: string;
}

/** Longest line text kept, in characters. */
export const MAX_TEXT_LENGTH = 500;
const NUL = 0;
const NEWLINE = 0x0a;
/** A revision as the searches name it: a full SHA-1 or SHA-256, or HEAD. */
const REVISION = /^(?:[0-9a-f]{40}|[0-9a-f]{64}|HEAD)$/;

/** A match and the revision git grep found it in. */
export interface GrepRecord {
  rev: string;
  match: GrepMatch;
}

/**
 * Reads `git grep -z -n` output on revisions, chunk by chunk:
 * `<rev>:path\0line\0text\n` records (some gits write `<rev>\0path\0…`),
 * where a revision is a full commit SHA or `HEAD`.
 * A path may hold any byte but NUL, a line's text none of NUL and newline.
 */
export class GrepOutputParser {
  private pending: Buffer[] = [];

  push(chunk: Buffer): GrepRecord[] {
    this.pending.push(chunk);
    // a record ends with a newline; wait for one before joining the chunks
    if (!chunk.includes(NEWLINE)) return [];
    let buffer = Buffer.concat(this.pending);
    const out: GrepRecord[] = [];
    for (;;) {
      const parsed = parseRecord(buffer);
      if (!parsed) break;
      out.push(parsed.record);
      buffer = buffer.subarray(parsed.end);
    }
    this.pending = buffer.length ? [buffer] : [];
    return out;
  }
}

function parseRecord(
  buffer: Buffer,
): { record: GrepRecord; end: number } | undefined {
  let nameEnd = buffer.indexOf(NUL);
  if (nameEnd < 0) return undefined;
  const name = buffer.subarray(0, nameEnd).toString('utf8');
  let rev: string;
  let path: string;
  if (REVISION.test(name)) {
    const pathEnd = buffer.indexOf(NUL, nameEnd + 1);
    if (pathEnd < 0) return undefined;
    rev = name;
    path = buffer.subarray(nameEnd + 1, pathEnd).toString('utf8');
    nameEnd = pathEnd;
  } else {
    const colon = name.indexOf(':');
    rev = name.slice(0, colon);
    path = name.slice(colon + 1);
  }
  const lineEnd = buffer.indexOf(NUL, nameEnd + 1);
  if (lineEnd < 0) return undefined;
  const textEnd = buffer.indexOf(NEWLINE, lineEnd + 1);
  if (textEnd < 0) return undefined;
  const line = Number(buffer.subarray(nameEnd + 1, lineEnd).toString('ascii'));
  const text = buffer
    .subarray(lineEnd + 1, Math.min(textEnd, lineEnd + 1 + MAX_TEXT_LENGTH * 4))
    .toString('utf8')
    .replace(/\r$/, '');
  return {
    record: {
      rev,
      match: {
        path,
        line,
        text: Array.from(text).slice(0, MAX_TEXT_LENGTH).join(''),
      },
    },
    end: textEnd + 1,
  };
}
