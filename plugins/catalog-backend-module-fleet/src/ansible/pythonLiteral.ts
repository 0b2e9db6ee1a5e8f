/**
 * Ansible's INI plugin reads each value with Python's `ast.literal_eval` and
 * keeps the raw string when that fails. This is a faithful subset of it:
 * numbers, strings, True/False/None, lists, tuples, dicts and sets.
 */
class LiteralParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parseTop(): unknown {
    this.skipWs();
    const value = this.parseExpr();
    this.skipWs();
    if (this.pos !== this.src.length) throw new Error('trailing input');
    return value;
  }

  private skipWs() {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) {
      this.pos++;
    }
  }

  private parseExpr(): unknown {
    this.skipWs();
    const c = this.src[this.pos];
    if (c === '-' || c === '+') {
      this.pos++;
      const v = this.parseExpr();
      if (typeof v !== 'number') throw new Error('unary on non-number');
      return c === '-' ? -v : v;
    }
    if (c === '[') return this.parseSeq('[', ']');
    if (c === '(') return this.parseSeq('(', ')');
    if (c === '{') return this.parseDict();
    if (c === '"' || c === "'") {
      let s = this.parseString();
      // Adjacent string literals concatenate, as in Python.
      for (;;) {
        this.skipWs();
        const n = this.src[this.pos];
        if (n === '"' || n === "'") s += this.parseString();
        else return s;
      }
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (word) {
      this.pos += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
      throw new Error('name');
    }
    return this.parseNumber();
  }

  private parseNumber(): number {
    const rest = this.src.slice(this.pos);
    const m =
      /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?|\d[\d_]*\.)/.exec(
        rest,
      );
    if (!m) throw new Error('not a number');
    const text = m[0];
    this.pos += text.length;
    if (/_$|__|_\.|\._/.test(text)) throw new Error('bad underscore');
    const clean = text.replace(/_/g, '');
    if (/^0[xX]/.test(clean)) return parseInt(clean.slice(2), 16);
    if (/^0[oO]/.test(clean)) return parseInt(clean.slice(2), 8);
    if (/^0[bB]/.test(clean)) return parseInt(clean.slice(2), 2);
    // Python 3 rejects integers with leading zeros (010), but not 0 or 0.5.
    if (/^0\d+$/.test(clean) && !/^0+$/.test(clean)) {
      throw new Error('leading zero');
    }
    return Number(clean);
  }

  private parseString(): string {
    const quote = this.src[this.pos];
    const triple = this.src.startsWith(quote.repeat(3), this.pos);
    const delim = triple ? quote.repeat(3) : quote;
    this.pos += delim.length;
    let out = '';
    while (this.pos < this.src.length) {
      if (this.src.startsWith(delim, this.pos)) {
        this.pos += delim.length;
        return out;
      }
      const ch = this.src[this.pos];
      if (ch === '\\') {
        const next = this.src[this.pos + 1];
        const escapes: Record<string, string> = {
          n: '\n',
          t: '\t',
          r: '\r',
          '\\': '\\',
          "'": "'",
          '"': '"',
          '0': '\0',
        };
        if (next in escapes) {
          out += escapes[next];
          this.pos += 2;
          continue;
        }
        out += ch;
        this.pos++;
        continue;
      }
      if (!triple && ch === '\n') throw new Error('newline in string');
      out += ch;
      this.pos++;
    }
    throw new Error('unterminated string');
  }

  private parseSeq(open: string, close: string): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    for (;;) {
      this.skipWs();
      if (this.src[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.parseExpr());
      this.skipWs();
      if (this.src[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (this.src[this.pos] === close) {
        this.pos++;
        // `(1)` is just 1 in Python, a tuple needs a comma.
        if (
          open === '(' &&
          items.length === 1 &&
          this.src[this.pos - 2] !== ','
        ) {
          return items[0] as unknown[];
        }
        return items;
      }
      throw new Error(`expected , or ${close}`);
    }
  }

  private parseDict(): unknown {
    this.pos++;
    const out: Record<string, unknown> = {};
    const set: unknown[] = [];
    let isSet = false;
    for (;;) {
      this.skipWs();
      if (this.src[this.pos] === '}') {
        this.pos++;
        return isSet ? set : out;
      }
      const key = this.parseExpr();
      this.skipWs();
      if (this.src[this.pos] === ':' && !isSet) {
        this.pos++;
        out[String(key)] = this.parseExpr();
      } else if (Object.keys(out).length === 0) {
        isSet = true;
        set.push(key);
      } else {
        throw new Error('expected :');
      }
      this.skipWs();
      if (this.src[this.pos] === ',') this.pos++;
      else if (this.src[this.pos] !== '}') throw new Error('expected , or }');
    }
  }
}

export function parseIniValue(raw: string): unknown {
  try {
    const parser = new LiteralParser(raw);
    const value = parser.parseTop();
    return value;
  } catch {
    return raw;
  }
}
