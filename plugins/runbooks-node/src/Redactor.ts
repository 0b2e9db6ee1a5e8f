/** Replacement for redacted secrets. @public */
export const REDACTED = '***';

function base64Variants(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const found: string[] = [];
  // A secret inside a longer base64 blob encodes differently for each of the
  // three byte offsets it can start at; keep only the characters that depend
  // on the secret alone.
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(
      'base64',
    );
    const start = [0, 2, 3][offset];
    const total = offset + bytes.length;
    const tail = [0, 3, 2][total % 3] === 0 ? 0 : 4 - [0, 3, 2][total % 3];
    const core = encoded.replace(/=+$/, '');
    const trimmed = core.slice(start, core.length - (total % 3 ? tail : 0));
    if (trimmed.length >= 6) found.push(trimmed);
  }
  found.push(bytes.toString('base64'));
  found.push(bytes.toString('base64url'));
  return found;
}

/**
 * Removes secret values from text: the value itself, its URL encoding and its
 * base64 forms (also when it sits inside a longer base64 blob).
 * @public
 */
export class Redactor {
  private patterns: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    this.add(...secrets);
  }

  add(...secrets: string[]) {
    for (const secret of secrets) {
      if (typeof secret !== 'string' || secret.length < 4) continue;
      this.patterns.push(
        secret,
        encodeURIComponent(secret),
        JSON.stringify(secret).slice(1, -1),
        ...base64Variants(secret),
      );
    }
    // longest first, so that a variant inside another one is not half-replaced
    this.patterns = [...new Set(this.patterns)].sort(
      (a, b) => b.length - a.length,
    );
    return this;
  }

  /** A copy that also redacts `secrets`. */
  with(secrets: string[]): Redactor {
    const copy = new Redactor();
    copy.patterns = [...this.patterns];
    return copy.add(...secrets);
  }

  redact(text: string): string {
    let result = text;
    for (const pattern of this.patterns) {
      if (result.includes(pattern))
        result = result.split(pattern).join(REDACTED);
    }
    return result;
  }

  /** Redacts every string inside a JSON value. */
  redactJson<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map(v => this.redactJson(v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, this.redactJson(v)]),
      ) as T;
    }
    return value;
  }
}
