import { LoggerService } from '@backstage/backend-plugin-api';
import { execFileSync } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import { assertRedactable, MIN_SECRET_LENGTH } from './secretForms';
import { Redactor } from './Redactor';
import { redactingLogger } from './redactingLogger';
import { StreamRedactor } from './StreamRedactor';

const secret = 'hunter2-Sup3r$ecret';
const b64 = (t: string) => Buffer.from(t).toString('base64');
const hex = (t: string) => Buffer.from(t).toString('hex');
/** A real ed25519 key as PEM: exactly three lines. */
const pem = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()
  .trim();
const pemBody = pem.split('\n')[1];

/** Pushes lines through a stream and returns everything it emitted, flush included. */
function streamed(redactor: Redactor, lines: string[]): string[] {
  const stream = redactor.stream();
  const out = lines.flatMap(l => stream.push(l));
  return [...out, ...stream.flush()];
}

describe('Redactor', () => {
  const redactor = new Redactor([secret]);

  it('redacts the secret, its URL and base64 encodings', () => {
    expect(
      redactor.redact(`pw=${secret} url=${encodeURIComponent(secret)}`),
    ).toBe('pw=*** url=***');
    expect(redactor.redact(`Authorization: Basic ${b64(secret)}`)).toBe(
      'Authorization: Basic ***',
    );
  });

  it('redacts every form: raw, URL, JSON, hex, base64 and base64url', () => {
    const odd = 'pä$$ "wörd"/\\ +x';
    const r = new Redactor([odd]);
    const forms = {
      raw: odd,
      url: encodeURIComponent(odd),
      urlLower: encodeURIComponent(odd).replace(/%[0-9A-F]{2}/g, m =>
        m.toLowerCase(),
      ),
      form: encodeURIComponent(odd).replace(/%20/g, '+'),
      uri: encodeURI(odd),
      json: JSON.stringify(odd).slice(1, -1),
      // Python's json.dumps (Ansible) escapes non-ASCII
      pythonJson: execFileSync('python3', [
        '-c',
        'import json, sys; print(json.dumps(sys.argv[1])[1:-1], end="")',
        odd,
      ]).toString(),
      hex: hex(odd),
      HEX: hex(odd).toUpperCase(),
      base64: b64(odd),
      base64url: Buffer.from(odd).toString('base64url'),
    };
    for (const [form, value] of Object.entries(forms)) {
      expect([form, r.redact(`<${value}>`)]).toEqual([form, '<***>']);
    }
  });

  it('redacts a secret inside a longer base64 or base64url blob at any offset', () => {
    for (const prefix of ['', 'u', 'us', 'user:', 'usr']) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const blob = Buffer.from(`${prefix}${secret}:tail`).toString(encoding);
        const redacted = redactor.redact(blob);
        expect(redacted).toContain('***');
        // what remains cannot be decoded back to the secret, nor half of it
        for (const part of redacted.split('***')) {
          const decoded = Buffer.from(part, encoding).toString('latin1');
          expect(decoded).not.toContain(secret.slice(0, 8));
          expect(decoded).not.toContain(secret.slice(-8));
        }
      }
    }
  });

  it('redacts a secret split by a line break, in both halves', () => {
    for (let k = 1; k < secret.length; k++) {
      const text = `a ${secret.slice(0, k)}\n${secret.slice(k)} b`;
      expect(redactor.redact(text)).toBe('a *** b');
      const crlf = `a ${secret.slice(0, k)}\r\n${secret.slice(k)} b`;
      expect(redactor.redact(crlf)).toBe('a *** b');
    }
  });

  it('redacts a multi-line secret whole, and each of its lines alone', () => {
    const r = new Redactor([pem]);
    expect(r.redact(`key:\n${pem}\nend`)).toBe('key:\n***\nend');
    // as a Windows tool prints it
    expect(r.redact(`key:\r\n${pem.replace(/\n/g, '\r\n')}`)).toBe(
      'key:\r\n***',
    );
    expect(r.redact(`body ${pemBody} seen`)).toBe('body *** seen');
    expect(r.redact(`hex ${hex(pemBody)}`)).toBe('hex ***');
    expect(r.redact(JSON.stringify({ key: pem }))).toBe('{"key":"***"}');
    expect(r.redact(b64(pem))).toBe('***');
    // the armor lines are the same in every key: they stay readable alone
    expect(r.redact('-----BEGIN PRIVATE KEY-----')).toBe(
      '-----BEGIN PRIVATE KEY-----',
    );
  });

  it('redacts a secret whatever the case of its letters', () => {
    expect(
      redactor.redact(
        `Unknown targets: cluster:default/${secret.toLowerCase()}`,
      ),
    ).toBe('Unknown targets: cluster:default/***');
    expect(redactor.redact(secret.toUpperCase())).toBe('***');
  });

  it('hides both of two overlapping secrets', () => {
    const r = new Redactor(['abcdefgh', 'efghijkl']);
    expect(r.redact('>abcdefghijkl<')).toBe('>***<');
  });

  it('redacts nested JSON values and keys', () => {
    expect(
      redactor.redactJson({ a: [`x ${secret}`], b: 1, [secret]: true }),
    ).toEqual({ a: ['x ***'], b: 1, '***': true });
  });

  it(`refuses secrets shorter than ${MIN_SECRET_LENGTH} characters, without showing them`, () => {
    expect(() => assertRedactable('abc1234', 'runbooks.secrets.db')).toThrow(
      "Secret 'runbooks.secrets.db' is 7 characters; secrets shorter than 8 cannot be redacted reliably",
    );
    expect(() => assertRedactable('  abc1234\n', 'x')).toThrow(
      "Secret 'x' is 7 characters (without surrounding whitespace)",
    );
    expect(() => assertRedactable(12345678, 'pin')).toThrow(
      "Secret 'pin' must be a string, not number",
    );
    expect(() => assertRedactable('abcd1234', 'ok')).not.toThrow();
    expect(() => new Redactor(['abc'])).toThrow(
      /^A secret given to the redactor is 3 characters; secrets shorter than 8 cannot be redacted reliably$/,
    );
    expect(() => redactor.add('')).toThrow(/is 0 characters/);
  });

  it('redacts short values given with `with` rather than failing a run', () => {
    const r = redactor.with(['abc', '', 42]);
    expect(r.redact(`abc ${secret} 42`)).toBe('*** *** 42');
    // the original is unchanged
    expect(redactor.redact('abc')).toBe('abc');
  });

  it('unites two redactors', () => {
    const both = redactor.union(new Redactor(['other-secret-1']));
    expect(both.redact(`${secret} other-secret-1`)).toBe('*** ***');
    expect(new Redactor().union(redactor)).toBe(redactor);
  });
});

describe('StreamRedactor', () => {
  const redactor = new Redactor([secret]);

  it('passes lines through at once when there is no secret', () => {
    const stream = new Redactor().stream();
    expect(stream.push(`a ${secret}`)).toEqual([`a ${secret}`]);
    expect(stream.flush()).toEqual([]);
  });

  it('emits a line at once unless its end could begin a secret', () => {
    const stream = redactor.stream();
    expect(stream.push('nothing to see.')).toEqual(['nothing to see.']);
    expect(stream.push(`pw=${secret}.`)).toEqual(['pw=***.']);
    // "hunt" could be the start of the secret: held back
    expect(stream.push('pw=hunt')).toEqual([]);
    expect(stream.pending).toBe(1);
    expect(stream.push('ing season')).toEqual(['pw=hunt', 'ing season']);
    expect(stream.push('pw=hunter2-')).toEqual([]);
    expect(stream.flush()).toEqual(['pw=hunter2-']);
  });

  it.each([
    ['raw', secret],
    ['base64', b64(secret)],
    ['hex', hex(secret)],
    ['HEX', hex(secret).toUpperCase()],
    ['URL', encodeURIComponent(secret)],
  ])(
    'redacts a %s secret split over two lines at every offset',
    (_form, value) => {
      for (let k = 1; k < value.length; k++) {
        expect([
          k,
          streamed(redactor, [
            'before',
            `x ${value.slice(0, k)}`,
            `${value.slice(k)} y`,
            'after',
          ]),
        ]).toEqual([k, ['before', 'x ***', '*** y', 'after']]);
      }
    },
  );

  it('redacts a secret split over three lines at every pair of offsets', () => {
    for (let i = 1; i < secret.length - 1; i++) {
      for (let j = i + 1; j < secret.length; j++) {
        const lines = [
          `>${secret.slice(0, i)}`,
          secret.slice(i, j),
          `${secret.slice(j)}<`,
        ];
        expect(streamed(redactor, lines)).toEqual(['>***', '***', '***<']);
      }
    }
  });

  it('redacts across CRLF line ends and lines that carry their own breaks', () => {
    expect(
      streamed(redactor, [`a ${secret.slice(0, 5)}\r`, `${secret.slice(5)}\r`]),
    ).toEqual(['a ***\r', '***\r']);
    expect(
      streamed(redactor, [`one\n${secret.slice(0, 9)}`, `${secret.slice(9)}!`]),
    ).toEqual(['one\n***', '***!']);
  });

  it('redacts a 3-line PEM printed over three lines, with each line whole', () => {
    const r = new Redactor([pem]);
    const lines = ['TASK [print key]', ...pem.split('\n'), 'ok: [host]'];
    expect(streamed(r, lines)).toEqual([
      'TASK [print key]',
      '***',
      '***',
      '***',
      'ok: [host]',
    ]);
    // also with Windows line ends, and as the key was configured with them
    const crlf = new Redactor([pem.replace(/\n/g, '\r\n')]);
    expect(
      streamed(
        crlf,
        lines.map(l => `${l}\r`),
      ),
    ).toEqual([
      'TASK [print key]\r',
      '***\r',
      '***\r',
      '***\r',
      'ok: [host]\r',
    ]);
    // its body line alone, split anywhere
    for (let k = 1; k < pemBody.length; k++) {
      expect(
        streamed(r, [`k=${pemBody.slice(0, k)}`, pemBody.slice(k)]),
      ).toEqual(['k=***', '***']);
    }
  });

  it('redacts a longer multi-line key (RSA) however it is wrapped', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
      .trim();
    const r = new Redactor([rsa]);
    const body = rsa.split('\n').slice(1, -1).join('');
    for (const width of [1, 7, 40, 64, 76, 200]) {
      const lines = ['key:'];
      for (let i = 0; i < body.length; i += width)
        lines.push(body.slice(i, i + width));
      lines.push('done');
      const out = streamed(r, lines);
      expect(out).toHaveLength(lines.length);
      expect(out[0]).toBe('key:');
      expect(out[out.length - 1]).toBe('done');
      // every line of the key is gone: no 8 characters of its body remain
      const left = out.slice(1, -1).join('').split('***').join('');
      expect(left).toBe('');
    }
  });

  it('redacts a base64 blob holding the secret, wrapped at any width', () => {
    for (const prefix of ['', 'u', 'us']) {
      const blob = b64(`${prefix}${secret}:and some more bytes after it`);
      for (const width of [4, 5, 13, 76]) {
        const lines: string[] = [];
        for (let i = 0; i < blob.length; i += width)
          lines.push(blob.slice(i, i + width));
        const decoded = Buffer.from(
          streamed(redactor, lines).join('').split('***').join('?'),
          'base64',
        ).toString('latin1');
        expect(decoded).not.toContain(secret.slice(0, 8));
        expect(decoded).not.toContain(secret.slice(-8));
      }
    }
  });

  it('keeps every line, in order, whatever is held back', () => {
    // a deterministic mix of ordinary lines, secret halves and prefixes
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const words = ['hunt', 'hunter2', 'ok', '', 'hunter2-Sup', secret, 'x'];
    const lines = Array.from({ length: 2000 }, (_, i) => {
      const w = words[Math.floor(random() * words.length)];
      return random() < 0.5 ? `${i}:${w}` : `${w}${i % 10 === 0 ? '' : i}`;
    });
    const stream = redactor.stream();
    const out: string[] = [];
    let maxPending = 0;
    for (const line of lines) {
      out.push(...stream.push(line));
      maxPending = Math.max(maxPending, stream.pending);
    }
    out.push(...stream.flush());
    expect(out).toHaveLength(lines.length);
    expect(out.join('')).not.toContain(secret);
    // lines with nothing of the secret in them come out unchanged, in place
    const untouched = lines.flatMap((line, i) =>
      line.includes('h') ? [] : [[line, out[i]]],
    );
    expect(untouched.length).toBeGreaterThan(100);
    expect(untouched.filter(([line, o]) => line !== o)).toEqual([]);
    // a secret is at most 2 lines here: little is ever held back
    expect(maxPending).toBeLessThanOrEqual(4);
  });

  it('starts afresh after a flush', () => {
    const stream = new StreamRedactor(redactor);
    expect(stream.push(secret.slice(0, 6))).toEqual([]);
    expect(stream.flush()).toEqual([secret.slice(0, 6)]);
    expect(stream.push(`${secret} again`)).toEqual(['*** again']);
  });
});

describe('redactingLogger', () => {
  /** A logger that records what reaches it, children included. */
  function recording(calls: unknown[][]): LoggerService {
    const log =
      (level: string) =>
      (...args: unknown[]) =>
        calls.push([level, ...args]);
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: meta => {
        calls.push(['child', meta]);
        return recording(calls);
      },
    };
  }

  it('redacts messages, metadata and errors', () => {
    const calls: unknown[][] = [];
    const redacting = redactingLogger(recording(calls), new Redactor([secret]));
    redacting.error(`crashed: ${secret}`, new Error(`because ${secret}`));
    redacting.warn('plain', { detail: `token ${b64(secret)}` });
    redacting.child({ run: secret }).info(`child ${secret}`);
    expect(calls).toEqual([
      [
        'error',
        'crashed: ***',
        expect.objectContaining({ message: 'because ***' }),
      ],
      ['warn', 'plain', { detail: 'token ***' }],
      ['child', { run: '***' }],
      ['info', 'child ***'],
    ]);
    expect((calls[0][2] as Error).stack).toContain('because ***');
    expect(JSON.stringify(calls)).not.toContain(secret);
  });
});
