import { LoggerService } from '@backstage/backend-plugin-api';

/** Replacement for redacted secrets. @public */
export const REDACTED = '***';

/**
 * The shortest secret Fleetdeck accepts. A shorter value cannot be redacted
 * reliably: it turns up by chance in ordinary output, and its encodings are
 * too short to tell apart from other text. @public
 */
export const MIN_SECRET_LENGTH = 8;

/**
 * Throws a clear error when `value` cannot be a secret: not a string, or
 * shorter than {@link MIN_SECRET_LENGTH} (surrounding whitespace not
 * counted). `name` names the setting or parameter in the message. @public
 */
export function assertRedactable(
  value: unknown,
  name: string,
): asserts value is string {
  const problem = unredactable(value);
  if (problem) throw new Error(`Secret '${name}' ${problem}`);
}

/** Why a value cannot be a secret, or undefined. */
function unredactable(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return `must be a string, not ${value === null ? 'null' : typeof value}`;
  }
  const length = value.trim().length;
  if (length >= MIN_SECRET_LENGTH) return undefined;
  return `is ${length} characters${
    length !== value.length ? ' (without surrounding whitespace)' : ''
  }; secrets shorter than ${MIN_SECRET_LENGTH} cannot be redacted reliably`;
}

/** Line breaks never count when matching: a secret split over lines is still found. */
const BREAKS = /[\r\n]/g;
const hasBreak = (text: string) =>
  text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0;
const stripBreaks = (text: string) =>
  hasBreak(text) ? text.replace(BREAKS, '') : text;
/**
 * Case does not count either (ASCII letters, so positions stay): an entity
 * ref lower-cases a secret typed into it, a tool may upper-case hex.
 */
const UPPER = /[A-Z]/;
const fold = (text: string) =>
  UPPER.test(text) ? text.replace(/[A-Z]+/g, m => m.toLowerCase()) : text;

/**
 * The base64 forms of `bytes`: whole (padded, and base64url), and the
 * characters that depend on the bytes alone when they sit inside a longer
 * blob, for each of the three byte offsets they can start at.
 */
function base64Forms(bytes: Buffer): string[] {
  const found = [bytes.toString('base64'), bytes.toString('base64url')];
  for (let offset = 0; offset < 3; offset++) {
    const total = offset + bytes.length;
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    // leading characters mix in the bytes before; a trailing partial group
    // mixes in the bytes after
    const start = [0, 2, 3][offset];
    const end = total % 3 === 0 ? encoded.length : encoded.length - 1;
    const core = encoded.slice(start, end);
    if (core.length >= 6) {
      found.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return found;
}

/** A URI encoding, or none for text that cannot be encoded (lone surrogates). */
function uriEncoded(encode: (text: string) => string, text: string): string {
  try {
    return encode(text);
  } catch {
    return text;
  }
}

/** Every form of one secret text that output may carry. */
function formsOf(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const url = uriEncoded(encodeURIComponent, text);
  const hex = bytes.toString('hex');
  const json = JSON.stringify(text).slice(1, -1);
  return [
    text,
    url,
    uriEncoded(encodeURI, text),
    url.replace(/%[0-9A-F]{2}/g, m => m.toLowerCase()),
    url.replace(/%20/g, '+'), // form encoding
    json,
    // as Python's json.dumps writes it (ensure_ascii): Ansible's output
    json.replace(
      /[\u007f-\uffff]/g,
      c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
    json.replace(/\//g, '\\/'),
    hex,
    hex.toUpperCase(),
    ...base64Forms(bytes),
  ];
}

const PEM_ARMOR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

/**
 * The texts to redact for a secret: the value, the value without
 * surrounding whitespace, and for a multi-line value (a PEM key) each of its
 * lines of at least {@link MIN_SECRET_LENGTH} characters, since each is
 * secret on its own (a PEM's body lines; not its BEGIN / END lines).
 */
function piecesOf(secret: string): string[] {
  const pieces = [secret];
  const trimmed = secret.trim();
  if (trimmed && trimmed !== secret) pieces.push(trimmed);
  if (hasBreak(secret)) {
    for (const line of secret.split(/\r\n|\r|\n/)) {
      const piece = line.trim();
      // a PEM's armor lines are the same in every key: not secret
      if (piece.length >= MIN_SECRET_LENGTH && !PEM_ARMOR.test(piece)) {
        pieces.push(piece);
      }
    }
    // as a tool may print it: the other line ending
    pieces.push(
      secret.replace(/\r\n/g, '\n'),
      secret.replace(/\r?\n/g, '\r\n'),
    );
  }
  return pieces;
}

/**
 * One text prepared for matching: without line breaks, and where it had
 * some, the position in the original of each remaining character.
 */
interface Prepared {
  text: string;
  /** Without line breaks, ASCII letters in lower case. */
  stripped: string;
  map?: number[];
}

function prepare(text: string): Prepared {
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
function applyRanges(text: string, ranges: [number, number][]): string {
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
function originalRange(p: Prepared, s: number, e: number): [number, number] {
  return p.map ? [p.map[s], p.map[e - 1] + 1] : [s, e];
}

interface PendingLine extends Prepared {
  /** Where its characters start and end in the stream's pending text. */
  start: number;
  end: number;
  /** Ranges (of `text`) to redact. */
  ranges: [number, number][];
}

/**
 * Redacts output that arrives line by line, such as a process's stdout. The
 * lines are matched as one text (line breaks not counted), so a secret split
 * over lines, or a multi-line secret (a PEM key) printed over several lines,
 * is redacted in every line it touches.
 *
 * `push` returns the lines that are safe to emit now, in order; a line whose
 * end could be the beginning of a secret is held back until the next lines
 * show it is not (or {@link StreamRedactor.flush}). Every line pushed comes
 * out exactly once, in order, so callers can pair output lines with what
 * they know about the input lines (level, time) in a queue.
 *
 * Without secrets, `push` returns its line at once.
 * @public
 */
export class StreamRedactor {
  private lines: PendingLine[] = [];
  /** The pending lines' characters, without line breaks. */
  private text = '';

  constructor(private readonly redactor: Redactor) {}

  /** Lines pushed and not yet returned. */
  get pending(): number {
    return this.lines.length;
  }

  push(line: string): string[] {
    if (!this.redactor.active) return [line];
    const prepared = prepare(line);
    const start = this.text.length;
    const pending: PendingLine = {
      ...prepared,
      start,
      end: start + prepared.stripped.length,
      ranges: [],
    };
    this.lines.push(pending);
    this.text += prepared.stripped;
    // matches that end in the new line (earlier ones were marked already)
    this.redactor.findMatches(this.text, start, (s, e) => this.mark(s, e));
    const held = this.redactor.heldFrom(this.text);
    let ready = 0;
    while (ready < this.lines.length && this.lines[ready].end <= held) ready++;
    return this.emit(ready);
  }

  /** Returns every line still held (at the end of a step or stream). */
  flush(): string[] {
    return this.emit(this.lines.length);
  }

  private emit(count: number): string[] {
    if (count === 0) return [];
    const out = this.lines
      .splice(0, count)
      .map(l => applyRanges(l.text, l.ranges));
    const offset = this.lines[0]?.start ?? this.text.length;
    if (offset > 0) {
      this.text = this.text.slice(offset);
      for (const l of this.lines) {
        l.start -= offset;
        l.end -= offset;
      }
    }
    return out;
  }

  /** Marks stripped range [s, e) of the pending text in every line it touches. */
  private mark(s: number, e: number) {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const l = this.lines[i];
      if (l.end <= s) break;
      if (l.start >= e || l.start === l.end) continue;
      l.ranges.push(
        originalRange(
          l,
          Math.max(s, l.start) - l.start,
          Math.min(e, l.end) - l.start,
        ),
      );
    }
  }
}

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

/**
 * A logger that redacts messages and metadata (an error's message and
 * stack included) before `logger` sees them.
 * @public
 */
export function redactingLogger(
  logger: LoggerService,
  redactor: Redactor | (() => Redactor),
): LoggerService {
  const current = typeof redactor === 'function' ? redactor : () => redactor;
  const meta = (m: unknown) => {
    const r = current();
    if (!m || !r.active) return m;
    if (m instanceof Error) {
      const copy = new Error(r.redact(m.message));
      copy.name = m.name;
      copy.stack = m.stack && r.redact(m.stack);
      return copy;
    }
    return r.redactJson(m);
  };
  const level =
    (name: 'error' | 'warn' | 'info' | 'debug') => (message: string, m?: any) =>
      m === undefined
        ? logger[name](current().redact(message))
        : logger[name](current().redact(message), meta(m) as any);
  return {
    error: level('error'),
    warn: level('warn'),
    info: level('info'),
    debug: level('debug'),
    child: m => redactingLogger(logger.child(meta(m) as any), current),
  };
}
