import {
  isRunbookStepError,
  RunbookExecutorContext,
  RunbookStepError,
} from '@fleetdeck/plugin-runbooks-node';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { createSecureContext, createServer, Server } from 'tls';
import { ConfigReader } from '@backstage/config';
import { TlsExecutor } from './TlsExecutor';

function certificate(dir: string, name: string, days: number) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.pem`),
      '-days',
      String(days),
      '-subj',
      `/CN=${name}.fleetdeck.test/O=Fleetdeck Test CA`,
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(join(dir, `${name}.key`)),
    cert: readFileSync(join(dir, `${name}.pem`)),
  };
}

/** TCP connections and SNI names a test server saw. */
interface Seen {
  connections: number;
  servernames: string[];
}
const seen = new Map<Server, Seen>();

async function serve(
  options: { key: Buffer; cert: Buffer },
  host = '127.0.0.1',
): Promise<Server> {
  const record: Seen = { connections: 0, servernames: [] };
  const context = createSecureContext(options);
  const server = createServer(
    {
      ...options,
      // called during the handshake, only when the client sends a name
      SNICallback: (servername, cb) => {
        record.servernames.push(servername);
        cb(null, context);
      },
    },
    socket => socket.end(),
  );
  // counted before any TLS: a refused endpoint must not even be dialled
  server.on('connection', () => record.connections++);
  await new Promise<void>(r => server.listen(0, host, r));
  seen.set(server, record);
  return server;
}

describe('TlsExecutor', () => {
  let dir: string;
  let healthy: Server;
  let expiring: Server;
  const lines: string[] = [];
  const port = (s: Server) => (s.address() as AddressInfo).port;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tls-test-'));
    healthy = await serve(certificate(dir, 'kafka-prod-01', 90));
    expiring = await serve(certificate(dir, 'kafka-prod-02', 5));
  });
  afterAll(() => {
    healthy.close();
    expiring.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ctx = (
    input: Record<string, unknown>,
    spec: Record<string, unknown> = {},
  ) => {
    lines.length = 0;
    return {
      input,
      target: {
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name: 'kafka-prod-01' },
        spec,
      },
      signal: new AbortController().signal,
      logger: {
        info: (l: string) => lines.push(l),
        warn: (l: string) => lines.push(l),
        error: (l: string) => lines.push(l),
      },
    } as unknown as RunbookExecutorContext;
  };

  it("reports subject, issuer and days left of the target's endpoints", async () => {
    const result = await new TlsExecutor({
      allowedHosts: ['127.0.0.1'],
    }).execute(
      ctx(
        {},
        {
          endpoints: [
            `127.0.0.1:${port(healthy)}`,
            { url: `https://127.0.0.1:${port(healthy)}` },
          ],
        },
      ),
    );
    const certs = (result!.output as any).certificates;
    expect(certs).toHaveLength(2);
    expect(certs[0]).toMatchObject({
      subject: 'kafka-prod-01.fleetdeck.test',
      issuer: 'kafka-prod-01.fleetdeck.test',
      trusted: false,
    });
    expect(certs[0].daysLeft).toBeGreaterThanOrEqual(88);
    expect(certs[0].daysLeft).toBeLessThanOrEqual(90);
    expect(lines[0]).toMatch(
      /subject kafka-prod-01.fleetdeck.test.*\(8\d|90 days\)/,
    );
  });

  it('fails under the threshold, on untrusted chains when asked, and on closed ports', async () => {
    const executor = new TlsExecutor({
      minDaysLeft: 14,
      allowedHosts: ['127.0.0.1'],
    });
    await expect(
      executor.execute(ctx({ endpoints: [`127.0.0.1:${port(expiring)}`] })),
    ).rejects.toThrow(/expires in [45] days/);
    await expect(
      executor.execute(
        ctx({
          endpoints: [`127.0.0.1:${port(healthy)}`],
          requireTrusted: true,
        }),
      ),
    ).rejects.toThrow(/is not trusted \(.*(SELF_SIGNED|self.signed)/i);
    const trusting = new TlsExecutor({
      allowedHosts: ['127.0.0.1'],
      ca: [readFileSync(join(dir, 'kafka-prod-01.pem'), 'utf8')],
    });
    await expect(
      trusting.execute(
        ctx({
          endpoints: [`127.0.0.1:${port(healthy)}`],
          requireTrusted: true,
        }),
      ),
    ).rejects.toThrow(/not trusted.*(ALTNAME|IP)/i);
    await expect(
      executor.execute(ctx({ endpoints: ['127.0.0.1:1'] })),
    ).rejects.toThrow(/ECONNREFUSED/);
    await expect(
      executor.execute(ctx({ endpoints: ['not an endpoint'] })),
    ).rejects.toThrow(/Not host:port/);
  });

  it('keeps the certificates of a failed check as its output', async () => {
    const executor = new TlsExecutor({
      minDaysLeft: 14,
      allowedHosts: ['127.0.0.1'],
    });
    const failure = await executor
      .execute(
        ctx({
          endpoints: [
            `127.0.0.1:${port(expiring)}`,
            `127.0.0.1:${port(healthy)}`,
          ],
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isRunbookStepError(failure)).toBe(true);
    const output = (failure as RunbookStepError).output as any;
    expect(output.minDaysLeft).toBe(14);
    expect(output.certificates).toHaveLength(2);
    expect(output.certificates[0].daysLeft).toBeLessThanOrEqual(5);
    expect(output.certificates[1].daysLeft).toBeGreaterThanOrEqual(88);
  });

  it('reports without failing when reportOnly, with the fewest days left', async () => {
    const endpoints = [expiring, healthy].map(s => `127.0.0.1:${port(s)}`);
    const executor = new TlsExecutor({ allowedHosts: ['127.0.0.1'] });
    const result = await executor.execute(ctx({ endpoints, reportOnly: true }));
    expect(result!.output).toMatchObject({ minDaysLeft: 14 });
    expect((result!.output as any).daysLeft).toBeLessThanOrEqual(5);
    expect(lines[0]).toMatch(/less than 14 days left/);
    await expect(
      executor.execute(ctx({ endpoints: ['127.0.0.1:1'], reportOnly: true })),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  describe('with a production-like allow-list', () => {
    let v6: Server;
    const production = new TlsExecutor({
      allowedHosts: ['kafka.fleetdeck.example'],
    });
    const connections = () =>
      seen.get(healthy)!.connections + seen.get(v6)!.connections;

    beforeAll(async () => {
      v6 = await serve(certificate(dir, 'kafka-prod-03', 90), '::1');
    });
    afterAll(() => v6.close());
    beforeEach(() => {
      for (const record of seen.values()) {
        record.connections = 0;
        record.servernames.length = 0;
      }
    });

    it.each([
      [
        '127.0.0.1',
        () => `127.0.0.1:${port(healthy)}`,
        /Address 127.0.0.1 is not in runbooks.tls.allowedHosts/,
      ],
      [
        'localhost',
        () => `localhost:${port(healthy)}`,
        /Host localhost is not in runbooks.tls.allowedHosts/,
      ],
      [
        '[::1]',
        () => `[::1]:${port(v6)}`,
        /Address ::1 is not in runbooks.tls.allowedHosts/,
      ],
      [
        'an IPv4-mapped loopback',
        () => `https://[::ffff:127.0.0.1]:${port(healthy)}`,
        /Address ::ffff:7f00:1 is not in runbooks.tls.allowedHosts/,
      ],
      [
        'the metadata address',
        () => '169.254.169.254:443',
        /Address 169.254.169.254 is not in runbooks.tls.allowedHosts/,
      ],
      [
        'a private address',
        () => '10.0.0.1:443',
        /Address 10.0.0.1 is not in runbooks.tls.allowedHosts/,
      ],
    ])('refuses %s without connecting', async (_name, endpoint, reason) => {
      await expect(
        production.execute(ctx({ endpoints: [endpoint()] })),
      ).rejects.toThrow(reason);
      expect(connections()).toBe(0);
    });

    it("refuses a target's own endpoints the same way", async () => {
      await expect(
        production.execute(ctx({}, { endpoints: ['169.254.169.254:443'] })),
      ).rejects.toThrow(
        /Refused: Address 169.254.169.254 is not in runbooks.tls.allowedHosts/,
      );
    });

    it('refuses an allowed name that resolves to loopback', async () => {
      const byName = new TlsExecutor({
        allowedHosts: ['kafka.fleetdeck.example', 'localhost'],
      });
      await expect(
        byName.execute(ctx({ endpoints: [`localhost:${port(healthy)}`] })),
      ).rejects.toThrow(
        /Host localhost resolves to 127.0.0.1 \(loopback\).*which runbooks.tls.allowedHosts does not name/,
      );
      expect(connections()).toBe(0);
    });

    it('connects to no endpoint when one is refused', async () => {
      const executor = new TlsExecutor({ allowedHosts: ['127.0.0.1'] });
      await expect(
        executor.execute(
          ctx({ endpoints: [`127.0.0.1:${port(healthy)}`, '10.0.0.1:443'] }),
        ),
      ).rejects.toThrow(
        /Refused: Address 10.0.0.1 is not in runbooks.tls.allowedHosts/,
      );
      expect(connections()).toBe(0);
    });

    it('reports a name that does not resolve and checks the others', async () => {
      const executor = new TlsExecutor({
        allowedHosts: ['127.0.0.1', 'nosuch.invalid'],
      });
      await expect(
        executor.execute(
          ctx({
            endpoints: [`127.0.0.1:${port(healthy)}`, 'nosuch.invalid:443'],
          }),
        ),
      ).rejects.toThrow(
        /^nosuch.invalid:443: Could not resolve nosuch.invalid: ENOTFOUND$/,
      );
      expect(lines[0]).toMatch(/^127.0.0.1:\d+: subject kafka-prod-01/);
      expect(connections()).toBe(1);
    });

    it('refuses every endpoint with the production setting (empty) or none', async () => {
      for (const config of [
        { runbooks: { tls: { allowedHosts: [] } } },
        { runbooks: { tls: { minDaysLeft: 14 } } },
      ]) {
        await expect(
          TlsExecutor.fromConfig(new ConfigReader(config)).execute(
            ctx({ endpoints: [`127.0.0.1:${port(healthy)}`] }),
          ),
        ).rejects.toThrow(
          /runbooks.tls.allowedHosts is empty or not set, so no host may be reached/,
        );
      }
      expect(() =>
        TlsExecutor.fromConfig(
          new ConfigReader({
            runbooks: { tls: { allowedHosts: ['10.0.0.0/33'] } },
          }),
        ),
      ).toThrow(/Invalid entry "10.0.0.0\/33" in runbooks.tls.allowedHosts/);
      expect(connections()).toBe(0);
    });

    it('reaches loopback where the list names its address', async () => {
      const named = TlsExecutor.fromConfig(
        new ConfigReader({
          runbooks: {
            tls: { allowedHosts: ['localhost', '127.0.0.1', '::1'] },
          },
        }),
      );
      const result = await named.execute(
        ctx({
          endpoints: [
            `127.0.0.1:${port(healthy)}`,
            `localhost:${port(healthy)}`,
            `[::1]:${port(v6)}`,
          ],
        }),
      );
      expect(
        (result!.output as any).certificates.map((c: any) => c.subject),
      ).toEqual([
        'kafka-prod-01.fleetdeck.test',
        'kafka-prod-01.fleetdeck.test',
        'kafka-prod-03.fleetdeck.test',
      ]);
      // a name is sent as SNI, an address is not
      expect(seen.get(healthy)!.servernames).toEqual(['localhost']);
      expect(seen.get(healthy)!.connections).toBe(2);
    });

    it('connects to the address it checked, even when DNS answers otherwise later', async () => {
      // A resolver that answers the allowed loopback address once, then a
      // private one (DNS rebinding). Real DNS cannot be steered from a test.
      const answers = ['127.0.0.1', '10.0.0.1'];
      const executor = new TlsExecutor({
        allowedHosts: ['kafka.fleetdeck.example', '127.0.0.1'],
        resolve: async () => [
          { address: answers.shift() ?? '10.0.0.1', family: 4 },
        ],
      });
      const endpoint = `kafka.fleetdeck.example:${port(healthy)}`;
      await expect(
        executor.execute(ctx({ endpoints: [endpoint] })),
      ).resolves.toBeDefined();
      expect(seen.get(healthy)!.servernames).toEqual([
        'kafka.fleetdeck.example',
      ]);
      await expect(
        executor.execute(ctx({ endpoints: [endpoint] })),
      ).rejects.toThrow(/resolves to 10.0.0.1 \(private\)/);
      expect(seen.get(healthy)!.connections).toBe(1);
    });
  });
});
