import { InputError } from '@backstage/errors';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Framing and connection headers belong to the executor: set by a step, they
// could smuggle a second request or name another virtual host than the one
// the network policy checked.
const RESERVED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * Refuses step headers that would change the request's framing or target, or
 * that carry CR, LF or other control characters (header injection). Values
 * are never quoted in the error: they often hold secrets.
 */
export function checkHeaders(headers: Record<string, string>) {
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) {
      throw new InputError(
        `Header name ${JSON.stringify(name)} is not a valid HTTP header name`,
      );
    }
    if (/[\r\n]/.test(value)) {
      throw new InputError(
        `Header ${name} contains a line break (CR or LF); a header value must be one line`,
      );
    }
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
      throw new InputError(`Header ${name} contains a control character`);
    }
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) {
      throw new InputError(
        `Header ${name} is set by the http executor and cannot be given in a step`,
      );
    }
    if (lower === 'content-type' && !JSON_TYPE.test(value)) {
      throw new InputError(
        `Header ${name} must be a JSON media type (application/json or application/*+json): the http executor sends its body as JSON`,
      );
    }
  }
}
