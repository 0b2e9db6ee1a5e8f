import { applyRanges, originalRange, prepare, Prepared } from './matching';
import type { Redactor } from './Redactor';

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
