import { fold, hasBreak, REDACTED } from './secretForms';

/**
 * One text prepared for matching: without line breaks, and where it had
 * some, the position in the original of each remaining character.
 */
export interface Prepared {
  text: string;
  /** Without line breaks, ASCII letters in lower case. */
  stripped: string;
  map?: number[];
}

export function prepare(text: string): Prepared {
  if (!hasBreak(text)) return { text, stripped: fold(text) };
  const map: number[] = [];
  let stripped = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) continue;
    map.push(i);
    stripped += text[i];
  }
  return { text, stripped: fold(stripped), map };
}

/** `text` with each of the (original position) ranges replaced, merged where they touch. */
export function applyRanges(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let at = 0;
  let open = ranges[0][0];
  let close = ranges[0][1];
  for (let i = 1; i <= ranges.length; i++) {
    const next = ranges[i];
    if (next && next[0] <= close) {
      close = Math.max(close, next[1]);
      continue;
    }
    out += text.slice(at, open) + REDACTED;
    at = close;
    if (next) [open, close] = next;
  }
  return out + text.slice(at);
}

/** The original range of stripped range [s, e) of a prepared text. */
export function originalRange(
  p: Prepared,
  s: number,
  e: number,
): [number, number] {
  return p.map ? [p.map[s], p.map[e - 1] + 1] : [s, e];
}
