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
export function unredactable(value: unknown): string | undefined {
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
export const hasBreak = (text: string) =>
  text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0;
export const stripBreaks = (text: string) =>
  hasBreak(text) ? text.replace(BREAKS, '') : text;
/**
 * Case does not count either (ASCII letters, so positions stay): an entity
 * ref lower-cases a secret typed into it, a tool may upper-case hex.
 */
const UPPER = /[A-Z]/;
export const fold = (text: string) =>
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
export function formsOf(text: string): string[] {
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
export function piecesOf(secret: string): string[] {
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
