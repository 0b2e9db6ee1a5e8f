import { applyRanges, originalRange, prepare } from './matching';
import {
  fold,
  formsOf,
  MIN_SECRET_LENGTH,
  piecesOf,
  stripBreaks,
  unredactable,
} from './secretForms';
import { StreamRedactor } from './StreamRedactor';

/**
 * Removes secret values from text: the value itself, its URL-encoded,
 * JSON-escaped, hex (lower and upper case) and base64 / base64url forms,
 * also when it sits inside a longer base64 blob, and for a multi-line secret
 * each of its lines. Line breaks do not hide a secret: text is matched as if
 * it had none, so a secret split over two lines is redacted in both halves.
 * Nor does the case of ASCII letters (an entity ref lower-cases a secret
 * typed into it). Overlapping matches are redacted as one.
 *
 * For output that arrives line by line use {@link StreamRedactor}
 * (`redactor.stream()`), which also finds secrets split across lines.
 * @public
 */
export class Redactor {
  /** What to look for, without line breaks, longest first. */
  private patterns: string[] = [];
  private longest = 0;

  /** Secrets must be at least {@link MIN_SECRET_LENGTH} characters long (see {@link Redactor.add}). */
  constructor(secrets: Iterable<string> = []) {
    this.add(...secrets);
  }

  /** Whether there is anything to redact: without secrets, text passes unchanged. */
  get active(): boolean {
    return this.patterns.length > 0;
  }

  /** The length of the longest form of a secret, line breaks not counted. */
  get maxPatternLength(): number {
    return this.longest;
  }

  /**
   * Adds secrets. Throws for a secret that is not a string or is shorter
   * than {@link MIN_SECRET_LENGTH}: it could not be redacted reliably, and
   * passing it over silently would leak it (check configuration with
   * {@link assertRedactable} to name the setting).
   */
  add(...secrets: string[]): this {
    for (const secret of secrets) {
      const problem = unredactable(secret);
      // the message never shows the value
      if (problem) throw new Error(`A secret given to the redactor ${problem}`);
    }
    return this.addPatterns(secrets);
  }

  /**
   * A copy that also redacts `secrets`. Unlike {@link Redactor.add} this
   * never throws: values a caller could not check in advance (a run's secret
   * parameters) are redacted whatever their length, however much ordinary
   * text that mangles; empty values and non-strings are left out. Refuse
   * short values where they are entered instead.
   */
  with(secrets: unknown[]): Redactor {
    const copy = this.copy();
    return copy.addPatterns(
      secrets.filter((s): s is string => typeof s === 'string' && s !== ''),
    );
  }

  /** A redactor that redacts what this one and `other` do. */
  union(other: Redactor): Redactor {
    if (!other.active || other === this) return this;
    if (!this.active) return other;
    const copy = this.copy();
    copy.setPatterns([...this.patterns, ...other.patterns]);
    return copy;
  }

  /** A {@link StreamRedactor} over this redactor's secrets. */
  stream(): StreamRedactor {
    return new StreamRedactor(this);
  }

  private copy(): Redactor {
    const copy = new Redactor();
    copy.patterns = this.patterns;
    copy.longest = this.longest;
    return copy;
  }

  private addPatterns(secrets: string[]): this {
    if (secrets.length === 0) return this;
    const added = secrets.flatMap(piecesOf).flatMap(formsOf);
    this.setPatterns([...this.patterns, ...added]);
    return this;
  }

  private setPatterns(patterns: string[]) {
    this.patterns = [...new Set(patterns.map(p => fold(stripBreaks(p))))]
      .filter(p => p.length > 0)
      .sort((a, b) => b.length - a.length);
    this.longest = this.patterns[0]?.length ?? 0;
  }

  /**
   * Calls `found(start, end)` for every occurrence of every pattern in
   * `text` that ends after `from` (overlapping ones included).
   * @internal
   */
  findMatches(
    text: string,
    from: number,
    found: (start: number, end: number) => void,
  ) {
    for (const p of this.patterns) {
      if (p.length > text.length) continue;
      let i = text.indexOf(p, Math.max(0, from - p.length + 1));
      while (i >= 0) {
        found(i, i + p.length);
        i = text.indexOf(p, i + 1);
      }
    }
  }

  /**
   * Where the longest end of `text` that could be the beginning of a
   * pattern starts (it may continue in text still to come); `text.length`
   * when there is none.
   * @internal
   */
  heldFrom(text: string): number {
    let held = text.length;
    for (const p of this.patterns) {
      const first = p[0];
      let s = text.indexOf(first, Math.max(0, text.length - p.length + 1));
      while (s >= 0 && s < held) {
        let prefix = true;
        for (let i = s + 1, j = 1; i < text.length; i++, j++) {
          if (text.charCodeAt(i) !== p.charCodeAt(j)) {
            prefix = false;
            break;
          }
        }
        if (prefix) {
          held = s;
          break;
        }
        s = text.indexOf(first, s + 1);
      }
    }
    return held;
  }

  redact(text: string): string {
    if (!this.active || !text) return text;
    const prepared = prepare(text);
    const ranges: [number, number][] = [];
    this.findMatches(prepared.stripped, 0, (s, e) =>
      ranges.push(originalRange(prepared, s, e)),
    );
    return applyRanges(text, ranges);
  }

  /** Redacts every string inside a JSON value, object keys included. */
  redactJson<T>(value: T): T {
    if (!this.active) return value;
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map(v => this.redactJson(v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          this.redact(k),
          this.redactJson(v),
        ]),
      ) as T;
    }
    return value;
  }
}
