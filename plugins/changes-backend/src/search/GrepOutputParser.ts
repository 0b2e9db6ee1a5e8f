/** One matching line as git grep reports it. */
export interface GrepMatch {
  path: string;
  line: number;
  text: string;
}

/** Longest line text kept, in characters. */
export const MAX_TEXT_LENGTH = 500;
/** The revision searched: the mirror's HEAD, its default branch. */
export const REV = 'HEAD';
const NUL = 0;
const NEWLINE = 0x0a;

/**
 * Reads `git grep -z -n` output on a revision, chunk by chunk:
 * `HEAD:path\0line\0text\n` records (some gits write `HEAD\0path\0…`).
 * A path may hold any byte but NUL, a line's text none of NUL and newline.
 */
export class GrepOutputParser {
  private pending: Buffer[] = [];

  push(chunk: Buffer): GrepMatch[] {
    this.pending.push(chunk);
    // a record ends with a newline; wait for one before joining the chunks
    if (!chunk.includes(NEWLINE)) return [];
    let buffer = Buffer.concat(this.pending);
    const out: GrepMatch[] = [];
    for (;;) {
      const parsed = parseRecord(buffer);
      if (!parsed) break;
      out.push(parsed.match);
      buffer = buffer.subarray(parsed.end);
    }
    this.pending = buffer.length ? [buffer] : [];
    return out;
  }
}

function parseRecord(
  buffer: Buffer,
): { match: GrepMatch; end: number } | undefined {
  let nameEnd = buffer.indexOf(NUL);
  if (nameEnd < 0) return undefined;
  let name = buffer.subarray(0, nameEnd).toString('utf8');
  if (name === REV) {
    const pathEnd = buffer.indexOf(NUL, nameEnd + 1);
    if (pathEnd < 0) return undefined;
    name = `${REV}:${buffer.subarray(nameEnd + 1, pathEnd).toString('utf8')}`;
    nameEnd = pathEnd;
  }
  const lineEnd = buffer.indexOf(NUL, nameEnd + 1);
  if (lineEnd < 0) return undefined;
  const textEnd = buffer.indexOf(NEWLINE, lineEnd + 1);
  if (textEnd < 0) return undefined;
  const path = name.startsWith(`${REV}:`) ? name.slice(REV.length + 1) : name;
  const line = Number(buffer.subarray(nameEnd + 1, lineEnd).toString('ascii'));
  const text = buffer
    .subarray(lineEnd + 1, Math.min(textEnd, lineEnd + 1 + MAX_TEXT_LENGTH * 4))
    .toString('utf8')
    .replace(/\r$/, '');
  return {
    match: {
      path,
      line,
      text: Array.from(text).slice(0, MAX_TEXT_LENGTH).join(''),
    },
    end: textEnd + 1,
  };
}
