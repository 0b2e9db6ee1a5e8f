import { ConfigReader } from '@backstage/config';
import { RunbookExecutorContext } from '@fleetdeck/plugin-runbooks-node';
import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'http';
import { AddressInfo } from 'net';
import { HttpExecutor } from './HttpExecutor';

interface Received {
  method?: string;
  url?: string;
  body: string;
  headers: IncomingHttpHeaders;
}

interface TestServer {
  server: Server;
  port: number;
  /** Every request this server received. */
  received: Received[];
}

async function serve(
  host: string,
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<TestServer> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        body,
        headers: req.headers,
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>(r => server.listen(0, host, r));
  return { server, port: (server.address() as AddressInfo).port, received };
}

const ok = (_req: IncomingMessage, res: ServerResponse) =>
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ healthy: true }));

const lines: string[] = [];
const ctx = (input: Record<string, unknown>, dryRun = false) => {
  lines.length = 0;
  return {
    input,
    dryRun,
    idempotencyKey: 'run/target/step',
    signal: new AbortController().signal,
    logger: {
      info: (l: string) => lines.push(l),
      warn: (l: string) => lines.push(l),
      error: (l: string) => lines.push(l),
    },
  } as unknown as RunbookExecutorContext;
};

describe('HttpExecutor', () => {
  let local: TestServer;
  let base: string;
  let bytesSent = 0;

  beforeAll(async () => {
    local = await serve('127.0.0.1', (req, res) => {
      if (req.url === '/same') {
        res.writeHead(302, { location: '/ok' }).end();
      } else if (req.url === '/elsewhere') {
        res
          .writeHead(302, {
            location: 'http://169.254.169.254/latest/meta-data',
          })
          .end();
      } else if (req.url === '/see-other') {
        res.writeHead(303, { location: '/ok' }).end();
      } else if (req.url === '/hang') {
        // never answers
      } else if (req.url === '/fail') {
        res.writeHead(503).end('down for maintenance');
      } else if (req.url === '/huge') {
        // 256 MB unless the client hangs up
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        bytesSent = 0;
        const pump = () => {
          while (bytesSent < 256 * 1024 * 1024 && !res.destroyed) {
            bytesSent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      } else {
        ok(req, res);
      }
    });
    base = `http://127.0.0.1:${local.port}`;
  });
  afterAll(() => local.server.close());

  const executor = new HttpExecutor({
    allowedHosts: ['127.0.0.1', '*.fleetdeck.test'],
  });

  it('calls allowed hosts, follows same-host redirects and returns JSON', async () => {
    const result = await executor.execute(ctx({ url: `${base}/same` }));
    expect(result!.output).toMatchObject({
      status: 200,
      url: `${base}/ok`,
      json: { healthy: true },
    });
    expect(lines[0]).toBe(`GET ${base}/same (127.0.0.1)`);
    await executor.execute(
      ctx({ url: `${base}/drain`, method: 'POST', body: { broker: 1 } }),
    );
    expect(local.received.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"broker":1}',
      headers: {
        'idempotency-key': 'run/target/step',
        'content-type': 'application/json',
      },
    });
  });

  it('sends values as JSON: text in a parameter never becomes body syntax', async () => {
    const hostile = 'x", "admin": true, "note": "';
    await executor.execute(
      ctx({ url: `${base}/drain`, method: 'POST', body: { reason: hostile } }),
    );
    expect(JSON.parse(local.received.at(-1)!.body)).toEqual({
      reason: hostile,
    });
    await executor.execute(
      ctx({ url: `${base}/drain`, method: 'PUT', body: `{"admin": true}` }),
    );
    expect(JSON.parse(local.received.at(-1)!.body)).toBe('{"admin": true}');
  });

  it('refuses headers that carry line breaks or change the framing, sending nothing', async () => {
    const before = local.received.length;
    await expect(
      executor.execute(
        ctx({
          url: `${base}/drain`,
          headers: { 'X-Reason': 'ok\r\nX-Admin: true' },
        }),
      ),
    ).rejects.toThrow(/Header X-Reason contains a line break \(CR or LF\)/);
    await expect(
      executor.execute(
        ctx({ url: `${base}/drain`, headers: { 'X-Reason': 'a\nb' } }),
      ),
    ).rejects.toThrow(/line break/);
    await expect(
      executor.execute(
        ctx({ url: `${base}/drain`, headers: { 'X-Bad\r\nName': 'a' } }),
      ),
    ).rejects.toThrow(/is not a valid HTTP header name/);
    await expect(
      executor.execute(
        ctx({ url: `${base}/drain`, headers: { Host: 'metadata.internal' } }),
      ),
    ).rejects.toThrow(/Header Host is set by the http executor/);
    await expect(
      executor.execute(
        ctx({
          url: `${base}/drain`,
          method: 'POST',
          body: 'x',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        }),
      ),
    ).rejects.toThrow(/Content-Type must be a JSON media type/);
    expect(local.received.length).toBe(before);
  });

  it('refuses other hosts, cross-host redirects and unexpected statuses', async () => {
    await expect(
      executor.execute(ctx({ url: 'http://169.254.169.254/latest/meta-data' })),
    ).rejects.toThrow(
      'Address 169.254.169.254 is not in runbooks.http.allowedHosts',
    );
    await expect(
      executor.execute(ctx({ url: `${base}/elsewhere` })),
    ).rejects.toThrow(
      /Refused redirect from 127.0.0.1:\d+ to 169.254.169.254: Address 169.254.169.254 is not in runbooks.http.allowedHosts/,
    );
    await expect(
      executor.execute(ctx({ url: `${base}/fail` })),
    ).rejects.toThrow(/Got 503, expected 2xx: down for maintenance/);
    await expect(
      executor.execute(ctx({ url: `${base}/fail`, expectedStatus: [503] })),
    ).resolves.toBeDefined();
    await expect(
      executor.execute(ctx({ url: 'file:///etc/passwd' })),
    ).rejects.toThrow(/Protocol file: is not allowed/);
    await expect(
      executor.execute(ctx({ url: `http://user:pw@127.0.0.1:${local.port}/` })),
    ).rejects.toThrow(/URLs with credentials are not allowed/);
  });

  it('turns a POST into a GET without body on 303, as browsers do', async () => {
    await executor.execute(
      ctx({ url: `${base}/see-other`, method: 'POST', body: { a: 1 } }),
    );
    expect(local.received.slice(-2)).toMatchObject([
      { method: 'POST', url: '/see-other', body: '{"a":1}' },
      { method: 'GET', url: '/ok', body: '' },
    ]);
    expect(local.received.at(-1)!.headers['content-type']).toBeUndefined();
  });

  it('stops reading a response at 64 KiB', async () => {
    const result = await executor.execute(ctx({ url: `${base}/huge` }));
    expect(result!.output).toMatchObject({ status: 200, truncated: true });
    expect((result!.output as any).body).toHaveLength(4096);
    expect(lines.at(-1)).toBe('200 OK (65536 bytes, cut at 65536)');
    // the server was cut off long before its 256 MB
    await new Promise(r => setTimeout(r, 100));
    expect(bytesSent).toBeLessThan(32 * 1024 * 1024);
  });

  it('gives up after timeoutMs with a clear error', async () => {
    await expect(
      executor.execute(ctx({ url: `${base}/hang`, timeoutMs: 200 })),
    ).rejects.toThrow(`No answer within 200 ms from 127.0.0.1:${local.port}`);
  });

  it('sends nothing but GET in a dry run, and checks the host even then', async () => {
    const before = local.received.length;
    const result = await executor.execute(
      ctx({ url: `${base}/drain`, method: 'DELETE' }, true),
    );
    expect(result!.output).toMatchObject({ dryRun: true, method: 'DELETE' });
    await expect(
      executor.execute(
        ctx({ url: 'http://10.0.0.1/drain', method: 'DELETE' }, true),
      ),
    ).rejects.toThrow(/Address 10.0.0.1 is not in runbooks.http.allowedHosts/);
    expect(local.received.length).toBe(before);
  });
});

describe('HttpExecutor with a production-like allow-list', () => {
  let v4: TestServer;
  let v6: TestServer;
  let redirector: TestServer;
  const targets = () => ({
    v4: `http://127.0.0.1:${v4.port}/`,
    localhost: `http://localhost:${v4.port}/`,
    v6: `http://[::1]:${v6.port}/`,
    mapped: `http://[::ffff:127.0.0.1]:${v4.port}/`,
    decimal: `http://2130706433:${v4.port}/`,
    metadata: 'http://169.254.169.254/latest/meta-data/',
    private: 'http://10.0.0.1/',
  });

  beforeAll(async () => {
    v4 = await serve('127.0.0.1', ok);
    v6 = await serve('::1', ok);
    redirector = await serve('127.0.0.2', (req, res) => {
      // without `to`, it redirects to itself
      const to =
        new URLSearchParams(req.url!.split('?')[1]).get('to') ?? req.url!;
      res.writeHead(302, { location: to }).end();
    });
  });
  afterAll(() => {
    for (const s of [v4, v6, redirector]) s.server.close();
  });
  beforeEach(() => {
    for (const s of [v4, v6, redirector]) s.received.length = 0;
  });

  const production = new HttpExecutor({
    allowedHosts: ['api.fleetdeck.example'],
  });

  it.each([
    ['v4', /Address 127.0.0.1 is not in runbooks.http.allowedHosts/],
    ['localhost', /Host localhost is not in runbooks.http.allowedHosts/],
    ['v6', /Address ::1 is not in runbooks.http.allowedHosts/],
    ['mapped', /Address ::ffff:7f00:1 is not in runbooks.http.allowedHosts/],
    ['decimal', /Address 127.0.0.1 is not in runbooks.http.allowedHosts/],
    [
      'metadata',
      /Address 169.254.169.254 is not in runbooks.http.allowedHosts/,
    ],
    ['private', /Address 10.0.0.1 is not in runbooks.http.allowedHosts/],
  ] as const)('refuses %s, and nothing arrives', async (target, reason) => {
    await expect(
      production.execute(ctx({ url: targets()[target] })),
    ).rejects.toThrow(reason);
    expect(v4.received).toHaveLength(0);
    expect(v6.received).toHaveLength(0);
  });

  it('refuses an allowed name that resolves to loopback', async () => {
    const byName = new HttpExecutor({
      allowedHosts: ['api.fleetdeck.example', 'localhost'],
    });
    await expect(
      byName.execute(ctx({ url: targets().localhost, method: 'POST' })),
    ).rejects.toThrow(
      /Host localhost resolves to 127.0.0.1 \(loopback\).*which runbooks.http.allowedHosts does not name/,
    );
    expect(v4.received).toHaveLength(0);
  });

  it('refuses every host with the production setting (empty) or none', async () => {
    for (const config of [
      { runbooks: { http: { allowedHosts: [] } } },
      { runbooks: {} },
    ]) {
      const executor = HttpExecutor.fromConfig(new ConfigReader(config));
      await expect(
        executor.execute(ctx({ url: targets().v4 })),
      ).rejects.toThrow(
        /runbooks.http.allowedHosts is empty or not set, so no host may be reached/,
      );
    }
    expect(() =>
      HttpExecutor.fromConfig(
        new ConfigReader({
          runbooks: { http: { allowedHosts: ['http://127.0.0.1'] } },
        }),
      ),
    ).toThrow(
      /Invalid entry "http:\/\/127.0.0.1" in runbooks.http.allowedHosts/,
    );
    expect(v4.received).toHaveLength(0);
  });

  it.each(['v4', 'localhost', 'v6', 'mapped', 'metadata', 'private'] as const)(
    'refuses a redirect from an allowed host to %s',
    async target => {
      const executor = new HttpExecutor({
        allowedHosts: ['api.fleetdeck.example', '127.0.0.2', 'localhost'],
      });
      const url = `http://127.0.0.2:${redirector.port}/?to=${encodeURIComponent(
        targets()[target],
      )}`;
      await expect(executor.execute(ctx({ url }))).rejects.toThrow(
        /Refused redirect from 127.0.0.2:\d+ to .*: (Address|Host) .*(is not in|does not name)/,
      );
      expect(redirector.received).toHaveLength(1);
      expect(v4.received).toHaveLength(0);
      expect(v6.received).toHaveLength(0);
    },
  );

  it('follows at most 5 redirects', async () => {
    const executor = new HttpExecutor({ allowedHosts: ['127.0.0.2'] });
    const loop = `http://127.0.0.2:${redirector.port}/`;
    await expect(executor.execute(ctx({ url: loop }))).rejects.toThrow(
      /Refused redirect from 127.0.0.2:\d+: more than 5 redirects/,
    );
    expect(redirector.received).toHaveLength(6);
  });

  it('reaches loopback where the list names its address', async () => {
    const named = new HttpExecutor({
      allowedHosts: ['127.0.0.1', '::1', 'localhost'],
    });
    for (const target of ['v4', 'localhost', 'v6', 'mapped'] as const) {
      await expect(
        named.execute(ctx({ url: targets()[target] })),
      ).resolves.toMatchObject({ output: { status: 200 } });
    }
    expect(v4.received).toHaveLength(3);
    expect(v6.received).toHaveLength(1);
    const range = new HttpExecutor({ allowedHosts: ['127.0.0.0/8'] });
    await expect(
      range.execute(ctx({ url: targets().v4 })),
    ).resolves.toMatchObject({ output: { status: 200 } });
  });

  it('connects to the address it checked, even when DNS answers otherwise later', async () => {
    // A resolver that answers the allowed loopback address once, then a
    // private one (DNS rebinding). Real DNS cannot be steered from a test.
    const answers = ['127.0.0.1', '10.0.0.1'];
    const executor = new HttpExecutor({
      allowedHosts: ['rebind.fleetdeck.test', '127.0.0.1'],
      resolve: async () => [
        { address: answers.shift() ?? '10.0.0.1', family: 4 },
      ],
    });
    await expect(
      executor.execute(
        ctx({ url: `http://rebind.fleetdeck.test:${v4.port}/` }),
      ),
    ).resolves.toMatchObject({ output: { status: 200 } });
    expect(v4.received[0].headers.host).toBe(
      `rebind.fleetdeck.test:${v4.port}`,
    );
    await expect(
      executor.execute(
        ctx({ url: `http://rebind.fleetdeck.test:${v4.port}/` }),
      ),
    ).rejects.toThrow(/resolves to 10.0.0.1 \(private\)/);
    expect(v4.received).toHaveLength(1);
  });

  it("sends a step's headers to its own origin only", async () => {
    const executor = new HttpExecutor({
      allowedHosts: ['127.0.0.1', '127.0.0.2'],
    });
    const url = `http://127.0.0.2:${redirector.port}/?to=${encodeURIComponent(
      targets().v4,
    )}`;
    await executor.execute(
      ctx({ url, headers: { Authorization: 'Bearer step-token' } }),
    );
    expect(redirector.received[0].headers.authorization).toBe(
      'Bearer step-token',
    );
    expect(v4.received).toHaveLength(1);
    expect(v4.received[0].headers.authorization).toBeUndefined();
    expect(v4.received[0].headers['idempotency-key']).toBe('run/target/step');
    expect(lines).toContain(
      `Redirected to http://127.0.0.1:${v4.port}: the step's headers are not sent there`,
    );
  });
});
