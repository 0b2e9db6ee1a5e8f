import { Redactor } from './Redactor';
import { spawnProcess } from './spawnProcess';

describe('Redactor', () => {
  const secret = 'hunter2-Sup3r$ecret';
  const redactor = new Redactor([secret]);

  it('redacts the secret, its URL and base64 encodings', () => {
    const b64 = Buffer.from(secret).toString('base64');
    expect(
      redactor.redact(`pw=${secret} url=${encodeURIComponent(secret)}`),
    ).toBe('pw=*** url=***');
    expect(redactor.redact(`Authorization: Basic ${b64}`)).not.toContain(b64);
  });

  it('redacts a secret inside a longer base64 blob at any offset', () => {
    for (const prefix of ['', 'u', 'us', 'user:']) {
      const blob = Buffer.from(`${prefix}${secret}:tail`).toString('base64');
      const redacted = redactor.redact(blob);
      expect(redacted).toContain('***');
      // what remains cannot be decoded back to the secret
      expect(
        Buffer.from(redacted.replace('***', ''), 'base64').toString(),
      ).not.toContain(secret);
    }
  });

  it('redacts nested JSON values', () => {
    expect(redactor.redactJson({ a: [`x ${secret}`], b: 1 })).toEqual({
      a: ['x ***'],
      b: 1,
    });
  });
});

describe('spawnProcess', () => {
  it('streams lines and returns the exit code, without a shell', async () => {
    const lines: string[] = [];
    const code = await spawnProcess({
      command: '/bin/echo',
      args: ['a; rm -rf /tmp/nothing', '$(id)'],
      signal: new AbortController().signal,
      onLine: l => lines.push(l),
    });
    expect(code).toBe(0);
    expect(lines).toEqual(['a; rm -rf /tmp/nothing $(id)']);
  });

  it('kills the process group when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const promise = spawnProcess({
      command: '/bin/sh',
      args: ['-c', 'sleep 30 & sleep 30; echo never'],
      signal: controller.signal,
      onLine: () => {},
      killGraceMs: 200,
    });
    setTimeout(() => controller.abort(new Error('timed out')), 200);
    await expect(promise).rejects.toThrow('timed out');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
